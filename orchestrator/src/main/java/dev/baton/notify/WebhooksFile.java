package dev.baton.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.baton.plan.Durations;
import okhttp3.HttpUrl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the admin's webhooks file (YAML). Each receiver:
 * <pre>
 * webhooks:
 *   - name: deploys                                  # for logs and the pending queue in Consul
 *     url: https://deploys.internal/baton            # or { env: NAME } / { file: /path } when the URL is a secret
 *     secret: { env: BATON_WEBHOOK_SECRET }          # or { file: /etc/baton/webhook-secret } (not readable by others)
 *     format: json                                   # json (signed) | slack ({"text": ...})
 *     events: [started, succeeded, failed]           # default: all
 *     services: [web]                                # default: every service
 *     retry: { attempts: 8, backoff: 1s, maxBackoff: 5m }
 *     timeout: 10s                                   # per attempt
 * </pre>
 * Errors are one line naming the file and the receiver.
 */
public final class WebhooksFile {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Set<String> KEYS = Set.of("name", "url", "secret", "format", "events", "services", "retry", "timeout");
    private static final int MAX_BYTES = 256 * 1024;
    private static final int MAX_WEBHOOKS = 100;
    static final Webhook.Retry DEFAULT_RETRY = new Webhook.Retry(8, Duration.ofSeconds(1), Duration.ofMinutes(5));
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** A webhooks file the server cannot start with; the message is one line. */
    public static final class Invalid extends Exception {
        public Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private WebhooksFile() {
    }

    public static List<Webhook> load(Path file, Function<String, String> env) throws Invalid {
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) throw new Invalid(file + ": the webhooks file is larger than 256 KiB");
            text = Files.readString(file, StandardCharsets.UTF_8);
            if (Files.getPosixFilePermissions(file).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)) {
                throw new Invalid(file + ": the webhooks file is writable by every user of this machine, who could then send "
                        + "rollout news anywhere: chmod o-w it");
            }
        } catch (NoSuchFileException e) {
            throw new Invalid(file + ": no such webhooks file");
        } catch (IOException e) {
            throw new Invalid(file + ": cannot read the webhooks file: " + e.getMessage());
        }
        return parse(file.toString(), text, env);
    }

    static List<Webhook> parse(String source, String text, Function<String, String> env) throws Invalid {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(text);
        } catch (IOException e) {
            throw new Invalid(source + ": not YAML: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        if (root == null || root.isMissingNode() || root.isNull()) return List.of();
        if (!root.isObject() || root.size() != 1 || !root.has("webhooks")) {
            throw new Invalid(source + ": expected one key, webhooks: [ { name, url, ... } ]");
        }
        JsonNode list = root.get("webhooks");
        if (!list.isArray()) throw new Invalid(source + ": webhooks: expected a list");
        if (list.size() > MAX_WEBHOOKS) throw new Invalid(source + ": more than " + MAX_WEBHOOKS + " webhooks");
        SecretSource secrets = new SecretSource(env);
        List<Webhook> webhooks = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            Webhook webhook = webhook(source + ": webhooks[" + i + "]", list.get(i), secrets);
            if (!names.add(webhook.name())) throw new Invalid(source + ": two webhooks are named " + webhook.name());
            webhooks.add(webhook);
        }
        return List.copyOf(webhooks);
    }

    private static Webhook webhook(String where, JsonNode node, SecretSource secrets) throws Invalid {
        if (!node.isObject()) throw new Invalid(where + ": expected { name, url, ... }");
        String name = node.path("name").asText("");
        if (!NAME.matcher(name).matches()) throw new Invalid(where + ".name: expected letters, digits, _ . - (at most 64)");
        where = where.replaceFirst("\\[\\d+]$", "") + " " + name;
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!KEYS.contains(key)) throw new Invalid(where + ": unknown key " + key + " (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
        }
        Webhook.Format format = switch (node.path("format").asText("json")) {
            case "json" -> Webhook.Format.JSON;
            case "slack" -> Webhook.Format.SLACK;
            default -> throw new Invalid(where + ".format: expected json or slack");
        };
        if (!node.has("url")) throw new Invalid(where + ".url: missing");
        String urlText = node.get("url").isTextual() ? node.get("url").asText() : secrets.read(node.get("url"), where + ".url");
        HttpUrl url = HttpUrl.parse(urlText);
        if (url == null) throw new Invalid(where + ".url: not an http(s) URL");
        byte[] secret = null;
        if (node.has("secret")) secret = secrets.read(node.get("secret"), where + ".secret").getBytes(StandardCharsets.UTF_8);
        if (secret == null && format == Webhook.Format.JSON) {
            throw new Invalid(where + ".secret: a json webhook is signed: give secret: { env: NAME } or { file: /path }");
        }
        Set<WebhookKind> events = node.has("events") ? events(where + ".events", node.get("events")) : EnumSet.allOf(WebhookKind.class);
        Set<String> services = new LinkedHashSet<>();
        if (node.has("services")) {
            for (JsonNode s : list(where + ".services", node.get("services"))) services.add(s.asText());
        }
        Webhook.Retry retry = retry(where + ".retry", node.path("retry"));
        Duration timeout = duration(where + ".timeout", node.path("timeout"), DEFAULT_TIMEOUT, Duration.ofMillis(100), Duration.ofMinutes(1));
        return new Webhook(name, url, secret, format, Set.copyOf(events), Set.copyOf(services), retry, timeout);
    }

    private static Set<WebhookKind> events(String where, JsonNode node) throws Invalid {
        Set<WebhookKind> kinds = EnumSet.noneOf(WebhookKind.class);
        for (JsonNode e : list(where, node)) {
            kinds.add(WebhookKind.named(e.asText()).orElseThrow(() -> new Invalid(where + ": unknown event \"" + e.asText()
                    + "\" (known: " + WebhookKind.labels() + ")")));
        }
        if (kinds.isEmpty()) throw new Invalid(where + ": empty (leave it out for every event)");
        return kinds;
    }

    private static List<JsonNode> list(String where, JsonNode node) throws Invalid {
        if (!node.isArray()) throw new Invalid(where + ": expected a list");
        List<JsonNode> items = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) throw new Invalid(where + ": expected names");
            items.add(item);
        }
        return items;
    }

    private static Webhook.Retry retry(String where, JsonNode node) throws Invalid {
        if (node.isMissingNode()) return DEFAULT_RETRY;
        if (!node.isObject()) throw new Invalid(where + ": expected { attempts, backoff, maxBackoff }");
        int attempts = node.path("attempts").asInt(DEFAULT_RETRY.attempts());
        if (attempts < 1 || attempts > 20) throw new Invalid(where + ".attempts: expected 1 to 20");
        Duration backoff = duration(where + ".backoff", node.path("backoff"), DEFAULT_RETRY.backoff(), Duration.ofMillis(10), Duration.ofMinutes(1));
        Duration max = duration(where + ".maxBackoff", node.path("maxBackoff"), DEFAULT_RETRY.maxBackoff(), backoff, Duration.ofHours(1));
        return new Webhook.Retry(attempts, backoff, max);
    }

    private static Duration duration(String where, JsonNode node, Duration fallback, Duration min, Duration max) throws Invalid {
        if (node.isMissingNode()) return fallback;
        Duration d;
        try {
            d = Durations.parse(node.asText());
        } catch (RuntimeException e) {
            throw new Invalid(where + ": \"" + node.asText() + "\" is not a duration (write e.g. 500ms, 10s, 5m)");
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new Invalid(where + ": expected " + Durations.format(min) + " to " + Durations.format(max));
        }
        return d;
    }
}
