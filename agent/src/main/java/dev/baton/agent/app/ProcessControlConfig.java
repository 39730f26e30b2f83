package dev.baton.agent.app;

import dev.baton.agent.AgentHome;
import java.util.Map;
import java.util.Objects;

/**
 * Which {@link ProcessControl} the agent uses ({@code --process process|systemd|command}) and its settings. Every
 * mistake is a one-line error naming the flag.
 *
 * @param systemctl the systemctl program for {@code systemd} (a name looked up on PATH, or a path)
 */
public record ProcessControlConfig(String strategy, String unit, String systemctl, String stopCommand,
                                   String startCommand, String reloadCommand, String statusCommand,
                                   HandoffSignal handoffSignal) {

    public static final String PROCESS = "process";
    public static final String SYSTEMD = "systemd";
    public static final String COMMAND = "command";

    public ProcessControlConfig {
        Objects.requireNonNull(handoffSignal, "handoffSignal");
        strategy = strategy == null ? PROCESS : strategy;
        systemctl = systemctl == null ? "systemctl" : systemctl;
        boolean anyCommand = stopCommand != null || startCommand != null || reloadCommand != null || statusCommand != null;
        switch (strategy) {
            case PROCESS -> {
                if (unit != null) throw new IllegalArgumentException("--unit needs --process systemd");
                if (anyCommand) throw new IllegalArgumentException("--stop/start/reload/status-command need --process command");
            }
            case SYSTEMD -> {
                if (unit == null) throw new IllegalArgumentException("--process systemd needs --unit NAME");
                if (anyCommand) throw new IllegalArgumentException("--stop/start/reload/status-command need --process command");
                SupervisorCommands.systemd(systemctl, unit);
            }
            case COMMAND -> {
                if (unit != null) throw new IllegalArgumentException("--unit needs --process systemd");
                SupervisorCommands.operator(stopCommand, startCommand, reloadCommand, statusCommand);
            }
            default -> throw new IllegalArgumentException("--process must be process, systemd or command, got '"
                    + strategy + "'");
        }
    }

    /** Today's behaviour: the agent starts and supervises the app; hand-off by SIGUSR2. */
    public static ProcessControlConfig defaults() {
        return new ProcessControlConfig(PROCESS, null, null, null, null, null, null, HandoffSignal.USR2);
    }

    public static ProcessControlConfig systemd(String unit, String systemctl, HandoffSignal signal) {
        return new ProcessControlConfig(SYSTEMD, unit, systemctl, null, null, null, null, signal);
    }

    public static ProcessControlConfig commands(String stop, String start, String reload, String status,
                                                HandoffSignal signal) {
        return new ProcessControlConfig(COMMAND, null, null, stop, start, reload, status, signal);
    }

    public ProcessControlConfig withHandoffSignal(HandoffSignal signal) {
        return new ProcessControlConfig(strategy, unit, systemctl, stopCommand, startCommand, reloadCommand,
                statusCommand, signal);
    }

    /** Whether the agent launches the app itself and so needs {@code --app-command}. */
    public boolean agentLaunchesApp() {
        return PROCESS.equals(strategy);
    }

    /**
     * @param appCommand  the app's command line ({@code process} only; may be null otherwise)
     * @param environment the clean environment for the app or the supervisor commands
     */
    public ProcessControl create(AgentHome home, String appCommand, Map<String, String> environment) {
        return switch (strategy) {
            case SYSTEMD -> new SupervisorProcessControl(SYSTEMD, SupervisorCommands.systemd(systemctl, unit),
                    new ControlCommand(environment), new ReleaseEnvironment(home));
            case COMMAND -> new SupervisorProcessControl(COMMAND,
                    SupervisorCommands.operator(stopCommand, startCommand, reloadCommand, statusCommand),
                    new ControlCommand(environment), new ReleaseEnvironment(home));
            default -> new DirectProcessControl(new AppControl(home, AppCommand.parse(appCommand), environment),
                    handoffSignal);
        };
    }
}
