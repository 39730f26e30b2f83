package dev.baton.rollout;

import dev.baton.plan.Plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The order of a rollout, computed before anything changes: the canaries first, then batches of
 * {@code strategy.batch} hosts; with {@code groupBy}, hosts are grouped by a node meta value (one zone at a
 * time) and no batch mixes two groups.
 */
public record Schedule(List<Batch> batches) {

    /** Hosts that leave together (at most {@code maxUnavailable} of them out at once). */
    public record Batch(int number, List<Instance> hosts, boolean canary, String group) {
        public String label() {
            return (canary ? "canary" : "batch " + number) + (group == null ? "" : " (" + group + ")")
                    + ": " + String.join(", ", hosts.stream().map(Instance::id).toList());
        }
    }

    public static Schedule of(Plan.Strategy strategy, List<Instance> instances) {
        int size = strategy.batch().of(instances.size(), true);
        List<Batch> batches = new ArrayList<>();
        List<Instance> rest = new ArrayList<>(instances);
        if (strategy.canary() > 0) {
            List<Instance> canaries = List.copyOf(rest.subList(0, Math.min(strategy.canary(), rest.size())));
            rest.removeAll(canaries);
            batches.add(new Batch(0, canaries, true, null));
        }
        Map<String, List<Instance>> groups = new LinkedHashMap<>();
        for (Instance instance : rest) {
            String group = strategy.groupByNodeMeta() == null ? null
                    : instance.nodeMeta().getOrDefault(strategy.groupByNodeMeta(), "(none)");
            groups.computeIfAbsent(group == null ? "" : group, g -> new ArrayList<>()).add(instance);
        }
        for (Map.Entry<String, List<Instance>> group : groups.entrySet()) {
            List<Instance> hosts = group.getValue();
            for (int i = 0; i < hosts.size(); i += size) {
                batches.add(new Batch(batches.size() + (strategy.canary() > 0 ? 0 : 1),
                        List.copyOf(hosts.subList(i, Math.min(i + size, hosts.size()))), false,
                        group.getKey().isEmpty() ? null : strategy.groupByNodeMeta() + "=" + group.getKey()));
            }
        }
        return new Schedule(List.copyOf(batches));
    }
}
