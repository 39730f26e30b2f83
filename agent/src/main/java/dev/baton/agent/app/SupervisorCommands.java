package dev.baton.agent.app;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The argv of each step when a supervisor owns the app. {@code reload} is null when the operator gave no
 * reload command: then a hand-off is refused up front.
 */
public record SupervisorCommands(List<String> stop, List<String> start, List<String> reload, List<String> status,
                                 String reloadMissing) {

    private static final Pattern UNIT = Pattern.compile("[A-Za-z0-9:_.@\\\\-]{1,256}");

    public SupervisorCommands {
        stop = List.copyOf(stop);
        start = List.copyOf(start);
        reload = reload == null ? null : List.copyOf(reload);
        status = List.copyOf(status);
    }

    /** The {@code systemd} strategy: the unit is the app; its main pid is systemd's MainPID. */
    public static SupervisorCommands systemd(String systemctl, String unit) {
        if (unit == null || !UNIT.matcher(unit).matches() || unit.startsWith("-")) {
            throw new IllegalArgumentException("--unit must be a systemd unit name such as app.service, got '" + unit + "'");
        }
        return new SupervisorCommands(
                List.of(systemctl, "stop", unit),
                List.of(systemctl, "start", unit),
                List.of(systemctl, "reload", unit),
                List.of(systemctl, "show", "-p", "MainPID", "--value", unit),
                "");
    }

    /** The {@code command} strategy: the operator's command lines, split into words (no shell). */
    public static SupervisorCommands operator(String stop, String start, String reload, String status) {
        return new SupervisorCommands(
                words("--stop-command", stop),
                words("--start-command", start),
                reload == null ? null : words("--reload-command", reload),
                words("--status-command", status),
                "strategy handoff needs --reload-command on this agent");
    }

    private static List<String> words(String flag, String line) {
        if (line == null) {
            throw new IllegalArgumentException("--process command needs " + flag);
        }
        List<String> words;
        try {
            words = Words.split(line);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
        if (words.isEmpty()) {
            throw new IllegalArgumentException(flag + " is empty");
        }
        return words;
    }
}
