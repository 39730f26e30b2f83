package dev.baton.cli;

import dev.baton.rollout.Event;
import dev.baton.rollout.Step;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TrafficLinesTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static Event traffic(int second) {
        return Event.rollout(T0.plusSeconds(second), Step.TRAFFIC, Event.Outcome.OK, null, "sample " + second);
    }

    @Test
    void aTerminalShowsOneTrafficLineInTenSecondsAndAlwaysTheLastBeforeTheEnd() {
        TrafficLines lines = new TrafficLines();
        List<String> shown = new ArrayList<>();
        for (int s = 0; s <= 23; s++) lines.lines(traffic(s)).forEach(e -> shown.add(e.detail()));
        lines.lines(Event.rollout(T0.plusSeconds(24), Step.ROLLOUT, Event.Outcome.OK, Duration.ofSeconds(24), "3 hosts on 2.0.0"))
                .forEach(e -> shown.add(e.detail()));

        assertThat(shown).containsExactly("sample 0", "sample 10", "sample 20", "sample 23", "3 hosts on 2.0.0");
    }
}
