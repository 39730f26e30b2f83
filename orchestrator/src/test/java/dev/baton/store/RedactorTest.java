package dev.baton.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RedactorTest {
    private final Redactor redactor = new Redactor(List.of("agent-token-0123456789", "short"));

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "cannot fetch https://bob:hunter2@artifacts.local/web.tgz: 404 | cannot fetch https://[redacted]@artifacts.local/web.tgz: 404",
            "https://s3.local/web.tgz?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKIA/x&X-Amz-Signature=abcdef0123 | https://s3.local/web.tgz?X-Amz-Algorithm=AWS4&X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted]",
            "http://a.local/x?token=t0k3n&v=2 | http://a.local/x?token=[redacted]&v=2",
            "http://a.local/x?v=2&sig=zzz#frag | http://a.local/x?v=2&sig=[redacted]#frag",
            "https://blob.local/c/web.tgz?sv=2022&sp=r&sig=AbC%2Bd | https://blob.local/c/web.tgz?sv=2022&sp=r&sig=[redacted]",
            "Authorization: Bearer abc.def-ghi | Authorization: Bearer [redacted]",
            "the token agent-token-0123456789 leaked twice: agent-token-0123456789 | the token [redacted] leaked twice: [redacted]",
            "a short word stays | a short word stays",
            "plain http://artifacts.local/web/2.0.0.tar.gz stays | plain http://artifacts.local/web/2.0.0.tar.gz stays",
    })
    void takesCredentialsOutOfText(String text, String expected) {
        assertThat(redactor.redact(text)).isEqualTo(expected);
    }

    @Test
    void nullAndEmptyStayAsTheyAre() {
        assertThat(redactor.redact(null)).isNull();
        assertThat(redactor.redact("")).isEmpty();
        assertThat(redactor.secrets()).containsExactly("agent-token-0123456789");
    }
}
