package dev.baton.agent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment the app and hooks start from: PATH, HOME and LANG, nothing else of the agent's. The agent's
 * environment may hold its token or other secrets, which neither the app nor a hook has any business reading.
 */
public final class CleanEnvironment {

    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private CleanEnvironment() {
    }

    /** PATH, HOME and LANG from the agent's environment, with defaults where it has none. */
    public static Map<String, String> base(Map<String, String> agentEnvironment) {
        Map<String, String> clean = new LinkedHashMap<>();
        clean.put("PATH", agentEnvironment.getOrDefault("PATH", DEFAULT_PATH));
        clean.put("HOME", agentEnvironment.getOrDefault("HOME", "/"));
        clean.put("LANG", agentEnvironment.getOrDefault("LANG", "C.UTF-8"));
        return clean;
    }

    /** The base with {@code extra} on top; extra wins. */
    public static Map<String, String> with(Map<String, String> agentEnvironment, Map<String, String> extra) {
        Map<String, String> clean = base(agentEnvironment);
        clean.putAll(extra);
        return Map.copyOf(clean);
    }
}
