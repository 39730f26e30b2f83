package dev.baton.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Every command answers --help with its usage and exit 0, whatever it otherwise requires. */
class HelpTest {
    @ParameterizedTest
    @ValueSource(strings = {"apply", "plan", "server", "status", "logs", "recover", "validate", "completion", "ca", "pause", "resume", "abort", "rollback", "promote"})
    void everyCommandHasHelp(String command) {
        BatonCli.Run run = BatonCli.run(command, "--help");
        assertThat(run.code()).isZero();
        assertThat(run.out()).startsWith("Usage: baton " + command).contains("-h, --help");
    }

    @org.junit.jupiter.api.Test
    void completionCoversEveryCommand() {
        BatonCli.Run run = BatonCli.run("completion");
        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("complete -F").contains("validate").contains("recover").contains("--output");
    }

    @ParameterizedTest
    @ValueSource(strings = {"apply", "recover"})
    void aMissingArgumentPointsAtTheCommandsOwnHelp(String command) {
        BatonCli.Run run = BatonCli.run(command);
        assertThat(run.code()).isEqualTo(BatonMain.USAGE);
        assertThat(run.err()).startsWith("baton: Missing required parameter").contains("(see baton " + command + " --help)");
    }
}
