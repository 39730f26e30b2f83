package dev.baton.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.agent.traffic.IpLiteral;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QuietQueryTest {

    @Test
    void defaults() throws ApiException {
        for (String none : new String[] {null, "", "&"}) {
            QuietQuery query = QuietQuery.parse(none);
            assertThat(query.quiet()).isEqualTo(Duration.ofMillis(500));
            assertThat(query.timeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(query.ignored()).isEmpty();
        }
    }

    @Test
    void readsEveryParameter() throws ApiException {
        QuietQuery query = QuietQuery.parse("quietMs=10&timeoutMs=600000&ignore=127.0.0.5,%20::1,[::ffff:10.0.0.7]");

        assertThat(query.quiet()).isEqualTo(Duration.ofMillis(10));
        assertThat(query.timeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(query.ignored()).containsExactly(IpLiteral.parse("127.0.0.5").orElseThrow(),
                IpLiteral.parse("::1").orElseThrow(), IpLiteral.parse("10.0.0.7").orElseThrow());
        assertThat(QuietQuery.parse("ignore=").ignored()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"quietMs=abc", "quietMs=0", "quietMs=9", "quietMs=60001", "quietMs=", "quietMs=-5",
            "quietMs=1e3", "quietMs=99999999999999999999", "timeoutMs=0", "timeoutMs=600001", "ignore=localhost",
            "ignore=10.0.0.1,", "ignore=10.0.0.1,,10.0.0.2", "ignore=300.0.0.1", "quiet=500", "quietMs=500&quietMs=600",
            "quietMs=%zz"})
    void refusesBadValuesWithOneLine(String rawQuery) {
        assertThatThrownBy(() -> QuietQuery.parse(rawQuery))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
                });
    }
}
