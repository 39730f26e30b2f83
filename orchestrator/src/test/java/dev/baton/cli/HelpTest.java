package dev.baton.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every command answers --help with its usage and exit 0, whatever it otherwise requires. */
class HelpTest {
    @ParameterizedTest
    @ValueSource(strings = {"apply", "plan", "server", "status", "logs", "recover", "validate", "completion", "ca", "pause", "resume", "abort", "rollback", "promote"})
    void everyCommandHasHelp(String command) {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        int code;
        try {
            code = BatonMain.run(command, "--help");
        } finally {
            System.setOut(out);
        }
        assertThat(code).isZero();
        assertThat(captured.toString()).startsWith("Usage: baton " + command).contains("-h, --help");
    }

    @org.junit.jupiter.api.Test
    void completionCoversEveryCommand() {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        try {
            assertThat(BatonMain.run("completion")).isZero();
        } finally {
            System.setOut(out);
        }
        assertThat(captured.toString()).contains("complete -F").contains("validate").contains("recover").contains("--output");
    }

    @ParameterizedTest
    @ValueSource(strings = {"apply", "recover"})
    void aMissingArgumentPointsAtTheCommandsOwnHelp(String command) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true));
        int code;
        try {
            code = BatonMain.run(command);
        } finally {
            System.setErr(err);
        }
        assertThat(code).isEqualTo(BatonMain.USAGE);
        assertThat(captured.toString()).startsWith("baton: Missing required parameter").contains("(see baton " + command + " --help)");
    }
}
