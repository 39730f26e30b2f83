package dev.baton.agent.hook;

import java.util.Map;

/** The body of {@code POST /v1/hooks}, as sent; {@link HookPlan} is its validated form. */
public record HookRequest(String name, String command, Long timeoutMs, Map<String, String> env) {
}
