package dev.baton.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Every command answers --help with its usage and exit 0, whatever it otherwise requires. */
class HelpTest {
    @ParameterizedTest
    @ValueSource(strings = {"apply", "plan", "server", "status", "logs", "recover", "validate", "completion", "ca", "pause", "resume", "abort", "rollback", "promote", "schedule", "override-window", "agent"})
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

    @org.junit.jupiter.api.Test
    void agentInstallHasHelpNamingItsOptions() {
        BatonCli.Run run = BatonCli.run("agent", "install", "--help");
        assertThat(run.code()).isZero();
        assertThat(run.out()).startsWith("Usage: baton agent install").contains("--ssh-key", "--dry-run", "--no-systemd", "--prefix",
                "--accept-new-host-key", "--jump-host", "--process", "--tls-dir");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "--process systemd|--process systemd needs --unit NAME",
            "--process command --stop-command x --start-command y|--process command needs --stop-command, --start-command and --status-command",
            "--unit web.service --app-command x|--unit needs --process systemd",
            "--handoff-signal TERM --app-command x|--handoff-signal must be USR2 or HUP, got \"TERM\"",
            "--app-command x --prefix relative|--prefix \"relative\" must be an absolute path of letters, digits and . _ + @ - (it goes into a systemd unit and the agent's argument file)"})
    void agentInstallRefusesAMistakeBeforeTouchingAHost(String options, String error) throws Exception {
        java.nio.file.Path token = java.nio.file.Files.createTempFile("baton-help-token", "");
        java.nio.file.Files.writeString(token, "a-token");
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("agent", "install", "10.0.0.1", "--ssh-key", "/nonexistent",
                "--ready-url", "http://{host}:8080/healthz", "--token-file", token.toString(), "--dist", "/nonexistent/baton-1.0.tar.gz"));
        args.addAll(java.util.List.of(options.split(" ")));
        BatonCli.Run run = BatonCli.run(args.toArray(String[]::new));
        java.nio.file.Files.delete(token);
        assertThat(run.code()).isEqualTo(BatonMain.USAGE);
        assertThat(run.err().strip()).isEqualTo("baton: " + error);
    }

    @ParameterizedTest
    @ValueSource(strings = {"schedule list", "schedule create", "schedule cancel"})
    void everyScheduleSubcommandHasHelp(String command) {
        BatonCli.Run run = BatonCli.run((command + " --help").split(" "));
        assertThat(run.code()).isZero();
        assertThat(run.out()).startsWith("Usage: baton " + command).contains("--server");
    }

    @org.junit.jupiter.api.Test
    void aScheduleWithoutSubcommandOrWithABadIdIsOneLine() {
        BatonCli.Run bare = BatonCli.run("schedule");
        assertThat(bare.code()).isEqualTo(BatonMain.USAGE);
        assertThat(bare.err()).startsWith("baton: missing subcommand: list, create PLAN or cancel ID");
        BatonCli.Run badId = BatonCli.run("schedule", "cancel", "r-20261129-0001", "--server", "http://127.0.0.1:9");
        assertThat(badId.code()).isEqualTo(BatonMain.USAGE);
        assertThat(badId.err().strip()).isEqualTo("baton: \"r-20261129-0001\" is not a schedule id (like s-20261129-020000-1a2b)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"apply", "recover"})
    void aMissingArgumentPointsAtTheCommandsOwnHelp(String command) {
        BatonCli.Run run = BatonCli.run(command);
        assertThat(run.code()).isEqualTo(BatonMain.USAGE);
        assertThat(run.err()).startsWith("baton: Missing required parameter").contains("(see baton " + command + " --help)");
    }
}
