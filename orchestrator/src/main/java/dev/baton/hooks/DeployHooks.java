package dev.baton.hooks;

import dev.baton.plan.Plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The deploy hooks an admin defined, by name; a plan may only name these. */
public final class DeployHooks {
    private final Map<String, NamedHook> byName;

    DeployHooks(Map<String, NamedHook> byName) {
        this.byName = Map.copyOf(byName);
    }

    public static DeployHooks none() {
        return new DeployHooks(Map.of());
    }

    public Optional<NamedHook> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public int size() {
        return byName.size();
    }

    /** The one-line reason the plan names a hook nobody defined (on this server); empty when every name is known. */
    public Optional<String> unknownIn(Plan plan) {
        return unknownIn(plan, "on this server", "it has no hooks file: --hooks-file");
    }

    /** @param where where hooks are defined, e.g. "in --hooks-file"; @param none what to say when none are */
    public Optional<String> unknownIn(Plan plan, String where, String none) {
        for (String phase : List.of("beforeDeploy", "afterDeploy")) {
            List<String> names = phase.equals("beforeDeploy") ? plan.hooks().beforeDeploy() : plan.hooks().afterDeploy();
            for (String name : names) {
                if (!byName.containsKey(name)) {
                    return Optional.of("hooks." + phase + ": no hook named \"" + name + "\" is defined " + where + " ("
                            + (byName.isEmpty() ? none : "defined: " + String.join(", ", sorted())) + ")");
                }
            }
        }
        return Optional.empty();
    }

    private List<String> sorted() {
        List<String> names = new ArrayList<>(byName.keySet());
        names.sort(null);
        return names;
    }
}
