package dev.baton.agent.http;

import dev.baton.agent.traffic.IpLiteral;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** The query of {@code GET /v1/traffic/quiet?quietMs=500&timeoutMs=30000&ignore=10.0.0.7,::1}. */
record QuietQuery(Duration quiet, Duration timeout, Set<InetAddress> ignored) {

    private static final Set<String> NAMES = Set.of("quietMs", "timeoutMs", "ignore");

    static QuietQuery parse(String rawQuery) throws ApiException {
        Map<String, String> params = new HashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (!NAMES.contains(name)) {
                    throw new ApiException(400, "unknown parameter '" + ApiException.printable(name)
                            + "'; expected quietMs, timeoutMs or ignore");
                }
                if (params.put(name, value) != null) {
                    throw new ApiException(400, "parameter '" + name + "' is given more than once");
                }
            }
        }
        return new QuietQuery(
                Duration.ofMillis(millis(params, "quietMs", 500, 10, 60_000)),
                Duration.ofMillis(millis(params, "timeoutMs", 30_000, 1, 600_000)),
                addresses(params.getOrDefault("ignore", "")));
    }

    private static long millis(Map<String, String> params, String name, long fallback, long min, long max)
            throws ApiException {
        String value = params.get(name);
        if (value == null) {
            return fallback;
        }
        long millis;
        try {
            millis = value.matches("[0-9]{1,9}") ? Long.parseLong(value) : -1;
        } catch (NumberFormatException e) {
            millis = -1;
        }
        if (millis < min || millis > max) {
            throw new ApiException(400, name + " must be a whole number of milliseconds from " + min + " to " + max
                    + ", got '" + ApiException.printable(value) + "'");
        }
        return millis;
    }

    private static Set<InetAddress> addresses(String list) throws ApiException {
        Set<InetAddress> addresses = new LinkedHashSet<>();
        if (list.isBlank()) {
            return addresses;
        }
        for (String item : list.split(",", -1)) {
            String text = item.strip();
            InetAddress address = IpLiteral.parse(text).orElse(null);
            if (address == null) {
                throw new ApiException(400, "ignore must list IP addresses separated by commas; '"
                        + ApiException.printable(text) + "' is not one");
            }
            addresses.add(address);
        }
        return addresses;
    }

    private static String decode(String text) throws ApiException {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "malformed query string");
        }
    }
}
