package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.store.Json;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/** Everything Baton keeps in a Consul's KV (under {@code baton/}), keys and decoded values, for tests to compare and grep. */
public final class ConsulTree {
    private static final OkHttpClient HTTP = new OkHttpClient();

    private ConsulTree() {
    }

    public static Map<String, String> read(String consulAddress) throws IOException {
        Map<String, String> tree = new TreeMap<>();
        try (Response response = HTTP.newCall(new Request.Builder().url(consulAddress + "/v1/kv/baton/?recurse=true").build()).execute()) {
            if (response.code() == 404) return tree;
            for (JsonNode entry : Json.MAPPER.readTree(response.body().string())) {
                String value = entry.hasNonNull("Value") ? new String(Base64.getDecoder().decode(entry.path("Value").asText())) : "";
                tree.put(entry.path("Key").asText(), value);
            }
        }
        return tree;
    }

    /** The tree without the audit log, which records refused requests too. */
    public static Map<String, String> withoutAudit(String consulAddress) throws IOException {
        Map<String, String> tree = read(consulAddress);
        tree.keySet().removeIf(k -> k.startsWith("baton/audit/"));
        return tree;
    }

    public static String dump(String consulAddress) throws IOException {
        StringBuilder out = new StringBuilder();
        read(consulAddress).forEach((k, v) -> out.append(k).append('\n').append(v).append('\n'));
        return out.toString();
    }
}
