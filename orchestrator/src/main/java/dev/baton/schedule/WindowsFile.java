package dev.baton.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.baton.plan.Durations;
import dev.baton.rollout.DeployWindow;
import dev.baton.rollout.DeployWindows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The server's {@code --windows-file}: {@code global:} and {@code services: { NAME: [...] }}, each a list of
 * {@code { allow: NAME | deny: NAME, cron: "0 0 9 ? * MON-FRI", duration: 8h, zone: Europe/Berlin }}.
 * Anything wrong is one {@link IllegalArgumentException} line naming the file and the entry.
 */
public final class WindowsFile {
    private static final Set<String> FIELDS = Set.of("allow", "deny", "cron", "duration", "zone");
    private static final Duration MAX_DURATION = Duration.ofDays(31);

    private WindowsFile() {
    }

    public static ServiceWindows read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read deploy windows: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException(file + ": expected global: and/or services:");
        for (Iterator<String> keys = root.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!key.equals("global") && !key.equals("services")) {
                throw new IllegalArgumentException(file + ": " + key + ": unknown field (known: global, services)");
            }
        }
        DeployWindows global = windows(file, "global", root.path("global"));
        Map<String, DeployWindows> services = new LinkedHashMap<>();
        JsonNode perService = root.path("services");
        if (!perService.isMissingNode() && !perService.isObject()) {
            throw new IllegalArgumentException(file + ": services: expected a mapping of service name to windows");
        }
        perService.fields().forEachRemaining(e -> services.put(e.getKey(), windows(file, "services." + e.getKey(), e.getValue())));
        return new ServiceWindows(global, services);
    }

    private static DeployWindows windows(Path file, String where, JsonNode list) {
        if (list.isMissingNode() || list.isNull()) return DeployWindows.ALWAYS_OPEN;
        if (!list.isArray()) throw new IllegalArgumentException(file + ": " + where + ": expected a list of windows");
        List<DeployWindow> windows = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) windows.add(window(file + ": " + where + "[" + i + "]", list.get(i)));
        return new DeployWindows(windows);
    }

    private static DeployWindow window(String where, JsonNode entry) {
        if (!entry.isObject()) throw new IllegalArgumentException(where + ": expected { allow|deny: NAME, cron, duration, zone }");
        entry.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) throw new IllegalArgumentException(where + ": " + f + ": unknown field (known: " + String.join(", ", FIELDS.stream().sorted().toList()) + ")");
        });
        if (entry.has("allow") == entry.has("deny")) throw new IllegalArgumentException(where + ": needs exactly one of allow: NAME or deny: NAME");
        DeployWindow.Kind kind = entry.has("allow") ? DeployWindow.Kind.ALLOW : DeployWindow.Kind.DENY;
        String name = entry.path(entry.has("allow") ? "allow" : "deny").asText();
        String cron = entry.path("cron").asText("");
        if (cron.isBlank()) throw new IllegalArgumentException(where + ": cron: is required (a Quartz cron expression like \"0 0 2 * * ?\")");
        Duration duration;
        try {
            duration = Durations.parse(entry.path("duration").asText(""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": duration: " + e.getMessage());
        }
        if (duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(where + ": duration: must be positive and at most 31 days");
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(entry.path("zone").asText("UTC"));
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(where + ": zone: \"" + entry.path("zone").asText() + "\" is not an IANA time zone");
        }
        try {
            return new DeployWindow(kind, name, cron, duration, zone);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": cron: " + e.getMessage());
        }
    }
}
