package dev.baton.agent.hook;

import java.util.HashMap;
import java.util.Map;

/** The agent's environment as hooks inherit it: without any variable that holds the agent's token. */
final class HookEnvironment {

    private HookEnvironment() {
    }

    /**
     * Drops the variable the token was read from, and also every other one holding the same value (a wrapper script
     * may export it twice), since a hook runs commands the orchestrator sends and must not be able to act as it.
     */
    static Map<String, String> withoutToken(Map<String, String> environment, String tokenEnv, String token) {
        Map<String, String> kept = new HashMap<>(environment);
        if (tokenEnv != null) {
            kept.remove(tokenEnv);
        }
        String secret = token.trim();
        kept.values().removeIf(value -> value.trim().equals(secret));
        return Map.copyOf(kept);
    }
}
