package dev.baton.schedule;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The server's --windows-file: global windows for every service, per-service ones on top; one-line errors. */
class WindowsFileTest {
    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        Path file = dir.resolve("windows.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void globalWindowsApplyToEveryServiceAndAServiceAddsItsOwn() throws IOException {
        ServiceWindows windows = WindowsFile.read(write("""
                global:
                  - { deny: new-year, cron: "0 0 0 1 1 ?", duration: 48h, zone: Europe/Berlin }
                services:
                  web:
                    - { allow: office, cron: "0 0 9 ? * MON-FRI", duration: 8h, zone: Europe/Berlin }
                """));
        Instant newYear = Instant.parse("2027-01-01T10:00:00Z");
        Instant tuesdayNight = Instant.parse("2027-01-05T22:00:00Z");
        assertThat(windows.forService("api").open(newYear)).isFalse();
        assertThat(windows.forService("api").open(tuesdayNight)).isTrue();
        assertThat(windows.forService("web").open(tuesdayNight)).isFalse();
        assertThat(windows.forService("web").at(tuesdayNight).until()).isEqualTo(Instant.parse("2027-01-06T08:00:00Z"));
    }

    @Test
    void aWrongEntryIsOneLineNamingTheFileAndTheEntry() throws IOException {
        Path file = write("services:\n  web:\n    - { deny: x, cron: \"0 0 2 * * ?\", duration: 2h, zone: Mars/Base }\n");
        assertThatThrownBy(() -> WindowsFile.read(file)).hasMessage(file + ": services.web[0]: zone: \"Mars/Base\" is not an IANA time zone");
        Path both = write("global:\n  - { deny: x, allow: y, cron: \"0 0 2 * * ?\", duration: 2h }\n");
        assertThatThrownBy(() -> WindowsFile.read(both)).hasMessage(both + ": global[0]: needs exactly one of allow: NAME or deny: NAME");
        Path badCron = write("global:\n  - { deny: x, cron: \"nightly\", duration: 2h }\n");
        assertThatThrownBy(() -> WindowsFile.read(badCron)).hasMessageStartingWith(badCron + ": global[0]: cron: \"nightly\" is not a Quartz cron expression")
                .hasMessageNotContaining("\n");
        Path typo = write("globl: []\n");
        assertThatThrownBy(() -> WindowsFile.read(typo)).hasMessage(typo + ": globl: unknown field (known: global, services)");
    }
}
