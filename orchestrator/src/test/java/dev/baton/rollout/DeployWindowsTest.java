package dev.baton.rollout;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Allow and deny windows: cron + duration + IANA zone, deny wins. */
class DeployWindowsTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    /** Office hours in Berlin: Monday to Friday, 09:00 for 8 hours. */
    private static final DeployWindow OFFICE = new DeployWindow(DeployWindow.Kind.ALLOW, "office", "0 0 9 ? * MON-FRI",
            Duration.ofHours(8), BERLIN);

    @Test
    void anAllowWindowIsOpenOnlyDuringItsOccurrencesInItsZone() {
        DeployWindows windows = new DeployWindows(List.of(OFFICE));
        // Thursday 2026-01-01: 09:00 in Berlin is 08:00 UTC (winter time)
        assertThat(windows.open(Instant.parse("2026-01-01T07:59:59Z"))).isFalse();
        assertThat(windows.open(Instant.parse("2026-01-01T08:00:00Z"))).isTrue();
        assertThat(windows.open(Instant.parse("2026-01-01T15:59:59Z"))).isTrue();
        assertThat(windows.open(Instant.parse("2026-01-01T16:00:00Z"))).isFalse();
        // in summer 09:00 Berlin is 07:00 UTC
        assertThat(windows.open(Instant.parse("2026-07-01T07:00:00Z"))).isTrue();
        assertThat(windows.at(Instant.parse("2026-01-01T07:00:00Z")))
                .isEqualTo(new DeployWindows.State(false, "outside every allow window", Instant.parse("2026-01-01T08:00:00Z")));
    }

    @Test
    void afterFridaysWindowTheNextOneIsMondayMorning() {
        DeployWindows windows = new DeployWindows(List.of(OFFICE));
        Instant fridayEvening = Instant.parse("2026-01-02T17:00:00Z");
        assertThat(windows.nextOpening(fridayEvening)).isEqualTo(Instant.parse("2026-01-05T08:00:00Z"));
    }

    @Test
    void denyWinsOverAllowAndTheWaitEndsWhenTheDenyWindowDoes() {
        DeployWindow lunchFreeze = new DeployWindow(DeployWindow.Kind.DENY, "lunch", "0 0 12 * * ?", Duration.ofHours(1), BERLIN);
        DeployWindows windows = new DeployWindows(List.of(OFFICE)).and(new DeployWindows(List.of(lunchFreeze)));
        Instant lunch = Instant.parse("2026-01-01T11:30:00Z");
        DeployWindows.State state = windows.at(lunch);
        assertThat(state.open()).isFalse();
        assertThat(state.why()).isEqualTo("inside deny window lunch");
        assertThat(state.until()).isEqualTo(Instant.parse("2026-01-01T12:00:00Z"));
        assertThat(windows.at(Instant.parse("2026-01-01T10:00:00Z")).until()).isEqualTo(Instant.parse("2026-01-01T11:00:00Z"));
    }

    @Test
    void aDenyWindowThatEndsOutsideEveryAllowWindowWaitsForTheNextAllowWindow() {
        DeployWindow lateFreeze = new DeployWindow(DeployWindow.Kind.DENY, "late", "0 0 16 * * ?", Duration.ofHours(3), BERLIN);
        DeployWindows windows = new DeployWindows(List.of(OFFICE, lateFreeze));
        assertThat(windows.nextOpening(Instant.parse("2026-01-01T15:30:00Z"))).isEqualTo(Instant.parse("2026-01-02T08:00:00Z"));
    }

    @Test
    void noWindowsIsAlwaysOpenAndAWindowThatNeverOpensHasNoNextOpening() {
        assertThat(DeployWindows.ALWAYS_OPEN.open(Instant.EPOCH)).isTrue();
        DeployWindows past = new DeployWindows(List.of(new DeployWindow(DeployWindow.Kind.ALLOW, "2020", "0 0 0 1 1 ? 2020",
                Duration.ofHours(1), ZoneId.of("UTC"))));
        assertThat(past.at(Instant.parse("2026-01-01T00:00:00Z"))).extracting(DeployWindows.State::open, DeployWindows.State::until)
                .containsExactly(false, null);
    }

    @Test
    void aBadCronExpressionIsRefusedWithTheReason() {
        assertThatThrownBy(() -> new DeployWindow(DeployWindow.Kind.DENY, "x", "every night", Duration.ofHours(1), BERLIN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"every night\" is not a Quartz cron expression");
    }
}
