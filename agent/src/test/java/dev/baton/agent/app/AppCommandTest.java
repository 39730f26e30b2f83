package dev.baton.agent.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AppCommandTest {

    @Test
    void resolvesTheProgramThroughTheCurrentSymlinkAndFillsInThePidfile() {
        AppCommand command = AppCommand.parse("  bin/app -listen 127.0.0.2:8080  -pidfile {pidfile} \"-name=a b\" ");

        assertThat(command.argv(Path.of("/home/current"), Path.of("/home/app.pid")))
                .containsExactly("/home/current/bin/app", "-listen", "127.0.0.2:8080", "-pidfile", "/home/app.pid", "-name=a b");
    }

    @Test
    void refusesBadCommands() {
        assertThatThrownBy(() -> AppCommand.parse("   ")).hasMessageContaining("empty");
        assertThatThrownBy(() -> AppCommand.parse("/usr/bin/app")).hasMessageContaining("relative");
        assertThatThrownBy(() -> AppCommand.parse("../app")).hasMessageContaining("relative");
        assertThatThrownBy(() -> AppCommand.parse("app \"open")).hasMessageContaining("quote");
    }
}
