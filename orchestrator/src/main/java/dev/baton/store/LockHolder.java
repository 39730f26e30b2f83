package dev.baton.store;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;

/** What a service lock says about its holder: the rollout (null while it is being created) and the server. */
public record LockHolder(String rollout, String server) {
    byte[] json() {
        try {
            return Json.MAPPER.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new StoreException("cannot encode a lock holder: " + e.getMessage(), e);
        }
    }

    static LockHolder parse(byte[] value) {
        try {
            JsonNode node = Json.MAPPER.readTree(value == null ? new byte[0] : value);
            if (node == null) return new LockHolder(null, null);
            return new LockHolder(node.path("rollout").asText(null), node.path("server").asText(null));
        } catch (IOException e) {
            return new LockHolder(null, null);
        }
    }
}
