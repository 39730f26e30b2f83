package dev.baton.agent.hook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OutputTailTest {

    @Test
    void keepsEverythingUpToTheLimit() throws Exception {
        assertThat(drain("", 8)).isEmpty();
        assertThat(drain("12345678", 8)).isEqualTo("12345678");
    }

    @Test
    void keepsTheLastBytesAcrossManyWrites() {
        OutputTail tail = OutputTail.start(new ByteArrayInputStream(new byte[0]), 8);
        for (String chunk : new String[] {"abc", "defgh", "ij", "klmnopqrstu", "v"}) {
            byte[] bytes = chunk.getBytes(StandardCharsets.UTF_8);
            tail.append(bytes, 0, bytes.length);
        }

        assertThat(tail.text()).isEqualTo(OutputTail.TRUNCATED + "opqrstuv");
    }

    @Test
    void neverStartsWithHalfACharacter() throws Exception {
        // "é" is two bytes, "€" three: the cut falls inside a character, which is dropped whole.
        assertThat(drain("aé€x", 3)).isEqualTo(OutputTail.TRUNCATED + "x");
        assertThat(drain("aé€x", 4)).isEqualTo(OutputTail.TRUNCATED + "€x");
    }

    private static String drain(String text, int limit) throws InterruptedException {
        OutputTail tail = OutputTail.start(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), limit);
        assertThat(tail.awaitEnd(Duration.ofSeconds(5))).isTrue();
        return tail.text();
    }
}
