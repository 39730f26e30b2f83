package dev.baton.agent.hook;

import dev.baton.agent.restart.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** A validated hook request: what to run, for how long at most, with which extra environment. */
public record HookPlan(String name, String command, Duration timeout, Map<String, String> env) {

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** Only Baton's own variables: a request must not be able to set PATH, LD_PRELOAD and the like. */
    private static final Pattern ENV_KEY = Pattern.compile("BATON_[A-Z0-9_]{1,58}");
    static final int MAX_COMMAND_BYTES = 8 * 1024;
    static final int MAX_ENV_VARS = 50;
    static final int MAX_ENV_VALUE_BYTES = 4 * 1024;

    public HookPlan {
        env = Map.copyOf(env);
    }

    /** Checks the whole request; throws {@link InvalidRequestException} with a one-line reason. */
    public static HookPlan validate(HookRequest request) {
        String name = request.name();
        if (name == null || name.isEmpty()) {
            throw new InvalidRequestException("name is required");
        }
        if (!NAME.matcher(name).matches()) {
            throw new InvalidRequestException("invalid hook name '" + printable(name)
                    + "': expected 1-64 characters of [A-Za-z0-9_-]");
        }
        String command = request.command();
        if (command == null || command.isBlank()) {
            throw new InvalidRequestException("command is required");
        }
        checkText("command", command, MAX_COMMAND_BYTES);
        return new HookPlan(name, command, timeout(request.timeoutMs()), env(request.env()));
    }

    private static Duration timeout(Long millis) {
        if (millis == null) {
            return DEFAULT_TIMEOUT;
        }
        if (millis <= 0 || millis > MAX_TIMEOUT.toMillis()) {
            throw new InvalidRequestException("timeoutMs must be between 1 and " + MAX_TIMEOUT.toMillis());
        }
        return Duration.ofMillis(millis);
    }

    private static Map<String, String> env(Map<String, String> env) {
        if (env == null) {
            return Map.of();
        }
        if (env.size() > MAX_ENV_VARS) {
            throw new InvalidRequestException("env has " + env.size() + " variables; at most " + MAX_ENV_VARS
                    + " are allowed");
        }
        Map<String, String> checked = new LinkedHashMap<>();
        env.forEach((key, value) -> {
            if (!ENV_KEY.matcher(key).matches()) {
                throw new InvalidRequestException("invalid env key '" + printable(key)
                        + "': expected BATON_ followed by [A-Z0-9_]");
            }
            if (value == null) {
                throw new InvalidRequestException("env." + key + " must be a string");
            }
            checkText("env." + key, value, MAX_ENV_VALUE_BYTES);
            checked.put(key, value);
        });
        return checked;
    }

    /** The JDK refuses NUL in arguments and environment, and would only say so once the process fails to start. */
    private static void checkText(String field, String value, int maxBytes) {
        if (value.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw new InvalidRequestException(field + " is longer than " + maxBytes + " bytes");
        }
        if (value.indexOf('\0') >= 0) {
            throw new InvalidRequestException(field + " must not contain NUL characters");
        }
    }

    /** Echoes request text safely: short and on one line. */
    private static String printable(String text) {
        String shortened = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        StringBuilder out = new StringBuilder();
        shortened.codePoints().forEach(c -> out.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
        return out.toString();
    }
}
