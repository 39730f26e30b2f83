package dev.baton.ssh;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A fixed POSIX sh script plus the values it works on. The values become quoted variable assignments in front of
 * the script, which only ever reads them as {@code "$name"}: no value is ever spliced into the script's text.
 * The whole is handed to {@code sh -c} as one quoted word, so the remote login shell only has to parse that.
 */
public final class RemoteScript {
    private final String body;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> exported = new LinkedHashMap<>();

    private RemoteScript(String body) {
        this.body = body;
    }

    public static RemoteScript of(String body) {
        return new RemoteScript(body);
    }

    /** A shell variable the script reads as {@code "$name"}. */
    public RemoteScript with(String name, String value) {
        values.put(name, value);
        return this;
    }

    /** A variable exported to the commands the script runs (hooks, start and stop commands). */
    public RemoteScript export(String name, String value) {
        exported.put(name, value);
        return this;
    }

    public RemoteScript exportAll(Map<String, String> env) {
        env.forEach(this::export);
        return this;
    }

    /** The script with its values, as it runs on the host. */
    String script() {
        StringBuilder text = new StringBuilder();
        values.forEach((name, value) -> text.append(ShellQuote.assignment(name, value)).append('\n'));
        exported.forEach((name, value) -> text.append("export ").append(ShellQuote.assignment(name, value)).append('\n'));
        return text.append(body).toString();
    }

    /** The exec request's command line. */
    String command() {
        return "sh -c " + ShellQuote.quote(script());
    }
}
