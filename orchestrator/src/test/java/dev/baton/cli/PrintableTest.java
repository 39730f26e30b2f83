package dev.baton.cli;

import dev.baton.rollout.Event;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class PrintableTest {
    @Test
    void controlCharactersInEventsAreShownEscapedNeverSentToTheTerminal() {
        Event hostile = new Event(Instant.EPOCH, "web-1\u001b[2J", dev.baton.rollout.Step.HOOK, Event.Outcome.OK, null,
                "ok\u001b]0;pwned\u0007\rrollout succeeded\nfake line\u202etxt.exe\u0000", null, null, null);
        String line = ConsoleEvents.format(hostile);
        assertThat(line).doesNotContain("\u001b").doesNotContain("\r").doesNotContain("\n").doesNotContain("\u0007")
                .doesNotContain("\u202e").doesNotContain("\u0000");
        assertThat(line).contains("web-1\\x1b[2J").contains("ok\\x1b]0;pwned\\x07\\rrollout succeeded\\nfake line\\u202etxt.exe\\x00");
    }

    @Test
    void ordinaryTextIsUnchanged() {
        assertThat(Printable.escape("web-1 RESTART ok: 2.0.0 — drained in 1.2s")).isEqualTo("web-1 RESTART ok: 2.0.0 — drained in 1.2s");
        assertThat(Printable.escape(null)).isEmpty();
    }
}
