package dev.baton.install;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The agent's own flags as the operator gave them to {@code baton agent install}, each value possibly holding
 * {@code {host}} (the address the host was named by). {@link #forHost} gives the argument list for one host.
 *
 * @param listen     the agent API's HOST:PORT
 * @param readyUrl   the app's readiness URL
 * @param appCommand the app's command line (--process process), or null
 * @param process    process, systemd or command
 * @param options    further agent options in order, e.g. --unit, --stop-command, --handoff-signal, --allow-hooks
 */
public record AgentFlags(String listen, String readyUrl, String appCommand, String process, List<String> options) {
    private static final Pattern LISTEN = Pattern.compile("(\\{host}|[A-Za-z0-9.:\\[\\]-]+):(\\d{1,5})");

    public AgentFlags {
        if (!LISTEN.matcher(listen).matches()) {
            throw new IllegalArgumentException("--listen \"" + listen + "\" must be HOST:PORT ({host} for the host's address)");
        }
        if (!List.of("process", "systemd", "command").contains(process)) {
            throw new IllegalArgumentException("--process must be process, systemd or command, got \"" + process + "\"");
        }
        if (process.equals("process") && appCommand == null) {
            throw new IllegalArgumentException("--process process (the default) needs --app-command: the agent starts the app");
        }
        if (!process.equals("process") && appCommand != null) {
            throw new IllegalArgumentException("--app-command needs --process process; under " + process + " the supervisor starts the app");
        }
        options = List.copyOf(options);
    }

    /** The agent API's port. */
    public int port() {
        return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
    }

    /** The flags for {@code host}, {@code --home} and {@code --token-file} first. */
    List<String> forHost(String host, String home, String tokenFile, Map<String, String> tlsFiles) {
        List<String> args = new ArrayList<>(List.of("--listen", listen, "--home", home, "--token-file", tokenFile,
                "--ready-url", readyUrl, "--process", process));
        if (appCommand != null) args.addAll(List.of("--app-command", appCommand));
        args.addAll(options);
        tlsFiles.forEach((flag, path) -> args.addAll(List.of(flag, path)));
        return args.stream().map(arg -> arg.replace("{host}", host)).toList();
    }
}
