package dev.baton.rollout;

import java.util.Map;

/**
 * The full registration of an instance as its owning agent holds it (id, name, address, port, tags,
 * meta, checks, ...), saved before it leaves so that exactly the same definition goes back.
 */
public record Registration(Instance instance, Map<String, Object> definition) {
}
