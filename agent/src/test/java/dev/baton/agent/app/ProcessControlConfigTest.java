package dev.baton.agent.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** How the strategies turn configuration into argv, and how main pids are read from status output. */
class ProcessControlConfigTest {

    @Test
    void systemdRunsSystemctlWithTheUnitAsItsOwnWord() {
        SupervisorCommands commands = SupervisorCommands.systemd("systemctl", "web@blue.service");

        assertThat(commands.stop()).containsExactly("systemctl", "stop", "web@blue.service");
        assertThat(commands.start()).containsExactly("systemctl", "start", "web@blue.service");
        assertThat(commands.reload()).containsExactly("systemctl", "reload", "web@blue.service");
        assertThat(commands.status()).containsExactly("systemctl", "show", "-p", "MainPID", "--value", "web@blue.service");
    }

    @Test
    void refusesUnitNamesThatAreNotUnitNames() {
        for (String unit : List.of("", "-H", "--user", "app service", "app;reboot", "$(id)", "a/b", "x".repeat(257))) {
            assertThatThrownBy(() -> SupervisorCommands.systemd("systemctl", unit)).as(unit)
                    .hasMessageStartingWith("--unit must be a systemd unit name");
        }
    }

    @Test
    void operatorCommandsAreSplitIntoWordsWithoutAShell() {
        SupervisorCommands commands = SupervisorCommands.operator("sv -w 30 down /etc/service/web",
                "\"/opt/my scripts/start\" web", null, "supervisorctl -c /etc/s.conf pid web; rm -rf /");

        assertThat(commands.stop()).containsExactly("sv", "-w", "30", "down", "/etc/service/web");
        assertThat(commands.start()).containsExactly("/opt/my scripts/start", "web");
        assertThat(commands.status()).containsExactly("supervisorctl", "-c", "/etc/s.conf", "pid", "web;", "rm", "-rf", "/");
        assertThat(commands.reload()).isNull();
        assertThat(commands.reloadMissing()).isEqualTo("strategy handoff needs --reload-command on this agent");
    }

    @Test
    void readsTheMainPidFromSystemctlSupervisorctlAndSvOutput() {
        assertThat(MainPidOutput.parse("4242\n")).isEqualTo(OptionalLong.of(4242));
        assertThat(MainPidOutput.parse("0\n")).isEmpty(); // systemctl show: no main process
        assertThat(MainPidOutput.parse("")).isEmpty();
        assertThat(MainPidOutput.parse("run: /etc/service/web: (pid 123) 5s; run: log: (pid 124) 5s"))
                .isEqualTo(OptionalLong.of(123));
        assertThat(MainPidOutput.parse("run: /etc/service/web: (pid 123) 5s, normally down")).isEqualTo(OptionalLong.of(123));
        assertThat(MainPidOutput.parse("down: /etc/service/web: 3s, normally up; run: log: (pid 124) 9s")).isEmpty();
        assertThat(MainPidOutput.parse("finish: /etc/service/web: (pid 130) 0s, want down")).isEmpty();
        assertThat(MainPidOutput.parse("down: /etc/service/web: 0s, want up")).isEmpty();
        assertThat(MainPidOutput.parse("web: ERROR (no such process)")).isEmpty();
        assertThat(MainPidOutput.parse("99999999999")).isEmpty();
    }

    @Test
    void handoffSignalsAreUsr2OrHup() {
        assertThat(HandoffSignal.parse("usr2")).isEqualTo(HandoffSignal.USR2);
        assertThat(HandoffSignal.parse("SIGHUP")).isEqualTo(HandoffSignal.HUP);
        assertThat(HandoffSignal.HUP.signalName()).isEqualTo("SIGHUP");
        assertThatThrownBy(() -> HandoffSignal.parse("KILL")).hasMessage("--handoff-signal must be USR2 or HUP, got 'KILL'");
    }

    @Test
    void theDefaultIsTodaysProcessStrategyWithUsr2() {
        ProcessControlConfig defaults = ProcessControlConfig.defaults();

        assertThat(defaults.strategy()).isEqualTo("process");
        assertThat(defaults.agentLaunchesApp()).isTrue();
        assertThat(defaults.handoffSignal()).isEqualTo(HandoffSignal.USR2);
    }
}
