package dev.baton.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.baton.plan.Durations;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the admin's hooks file (YAML): each deploy hook by name, its program and arguments, and a timeout.
 * <pre>
 * notify-start:
 *   command: [/usr/local/bin/notify, --stage, start]
 *   timeout: 30s
 * </pre>
 * Errors are one line naming the file and the hook.
 */
public final class HooksFile {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    private static final int MAX_HOOKS = 200;
    private static final int MAX_ARGS = 100;
    private static final int MAX_BYTES = 256 * 1024;

    /** A hooks file the server cannot start with; the message is one line. */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    private HooksFile() {
    }

    public static DeployHooks load(Path file) throws Invalid {
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) throw new Invalid(file + ": the hooks file is larger than 256 KiB");
            text = Files.readString(file, StandardCharsets.UTF_8);
            if (writableByOthers(file)) {
                throw new Invalid(file + ": the hooks file is writable by every user of this machine, who could then run "
                        + "commands as the server: chmod o-w it");
            }
        } catch (NoSuchFileException e) {
            throw new Invalid(file + ": no such hooks file");
        } catch (IOException e) {
            throw new Invalid(file + ": cannot read the hooks file: " + e.getMessage());
        }
        return parse(file.toString(), text);
    }

    private static boolean writableByOthers(Path file) throws IOException {
        try {
            return Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_WRITE);
        } catch (UnsupportedOperationException notPosix) {
            return false;
        }
    }

    static DeployHooks parse(String where, String text) throws Invalid {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(text);
        } catch (IOException e) {
            throw new Invalid(where + ": not valid YAML");
        }
        if (root == null || root.isMissingNode() || root.isNull()) return DeployHooks.none();
        if (!root.isObject()) throw new Invalid(where + ": expected a mapping of hook name to { command: [program, args...], timeout }");
        if (root.size() > MAX_HOOKS) throw new Invalid(where + ": more than " + MAX_HOOKS + " hooks");
        Map<String, NamedHook> hooks = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            hooks.put(field.getKey(), hook(where, field.getKey(), field.getValue()));
        }
        return new DeployHooks(hooks);
    }

    private static NamedHook hook(String where, String name, JsonNode spec) throws Invalid {
        if (!NAME.matcher(name).matches()) {
            throw new Invalid(where + ": hook name \"" + printable(name) + "\": letters, digits and . _ - (at most 64)");
        }
        String at = where + ": " + name;
        if (!spec.isObject()) throw new Invalid(at + ": expected { command: [program, args...], timeout: 30s }");
        for (Iterator<String> keys = spec.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!key.equals("command") && !key.equals("timeout")) {
                throw new Invalid(at + ": unknown field \"" + printable(key) + "\" (command, timeout)");
            }
        }
        JsonNode command = spec.path("command");
        if (!command.isArray() || command.isEmpty()) {
            throw new Invalid(at + ": command is a list: the program, then its arguments (no shell), e.g. [/usr/local/bin/notify, start]");
        }
        if (command.size() > MAX_ARGS) throw new Invalid(at + ": command has more than " + MAX_ARGS + " arguments");
        List<String> argv = new ArrayList<>();
        for (JsonNode arg : command) {
            if (!arg.isValueNode() || arg.isNull()) throw new Invalid(at + ": command: every argument is a string");
            String value = arg.asText();
            if (value.indexOf('\0') >= 0) throw new Invalid(at + ": command: an argument contains a NUL byte");
            argv.add(value);
        }
        if (!argv.get(0).startsWith("/")) {
            throw new Invalid(at + ": command: the program is an absolute path (the hook runs with a minimal PATH), not \""
                    + printable(argv.get(0)) + "\"");
        }
        Duration timeout = DEFAULT_TIMEOUT;
        if (spec.has("timeout")) {
            try {
                timeout = Durations.parse(spec.path("timeout").asText());
            } catch (IllegalArgumentException e) {
                throw new Invalid(at + ": timeout: " + e.getMessage());
            }
            if (timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) throw new Invalid(at + ": timeout: between 1ms and 1h");
        }
        return new NamedHook(name, argv, timeout);
    }

    private static String printable(String text) {
        String cut = text.length() > 60 ? text.substring(0, 60) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
