package dev.baton.rollout;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Where one host stands in a rollout. The transition table is the whole per-host state machine: every
 * move goes through {@link #canMoveTo}, and a move it does not allow is a bug, never a silent state.
 *
 * <pre>
 * PENDING → PREPARED → LEAVING → PROPAGATING → RESTARTING → CHECKING → JOINING → (JOINED →) DONE
 *                      (drain.mode none: PREPARED → RESTARTING)
 * any state out of rotation → RESTORING → RESTORED | PARKED
 * a rollback walks DONE / RESTORED / PARKED through the same steps to ROLLED_BACK
 * </pre>
 */
public enum HostState {
    /** Not touched yet. */
    PENDING("not touched yet"),
    /** The new release is fetched and verified on the host; it still serves. */
    PREPARED("release fetched and verified, still serving"),
    /** Taken out of rotation (maintenance or deregistered); its registration is journaled first. */
    LEAVING("leaving rotation"),
    /** Out of rotation; waiting until every check proves traffic stopped. */
    PROPAGATING("waiting until the load balancer stopped sending traffic"),
    /** The agent drains, switches the release and starts the app. */
    RESTARTING("draining, switching release, starting"),
    /** Probed until healthy without a break for minHealthyTime. */
    CHECKING("probing health"),
    /** Put back in rotation; waiting until Consul reports it passing. */
    JOINING("back in rotation, waiting for Consul to report it passing"),
    /** In rotation on the new release; afterHost hooks run (a host without them goes from JOINING to DONE). */
    JOINED("in rotation, after-host hooks running"),
    /** Finished: in rotation on the target release. */
    DONE("in rotation on the new release"),
    /** A step failed; the host is being put back or parked. */
    RESTORING("a step failed: putting it back or parking it"),
    /** A step failed and the host is back in rotation (healthy). */
    RESTORED("a step failed; back in rotation, healthy"),
    /** A step failed and the host is out of rotation in Consul maintenance, with the reason. */
    PARKED("out of rotation in Consul maintenance, with the reason"),
    /** Returned to its previous release by a rollback, in rotation. */
    ROLLED_BACK("back on its previous release, in rotation"),
    /** Never touched: the rollout stopped before its turn. */
    SKIPPED("never touched: the rollout stopped before its turn");

    private final String meaning;

    HostState(String meaning) {
        this.meaning = meaning;
    }

    public String meaning() {
        return meaning;
    }

    private static final Set<HostState> OUT = EnumSet.of(LEAVING, PROPAGATING, RESTARTING, CHECKING, JOINING, RESTORING);
    private static final Set<HostState> FINAL = EnumSet.of(DONE, RESTORED, PARKED, ROLLED_BACK, SKIPPED);

    private static final Map<HostState, Set<HostState>> NEXT = Map.ofEntries(
            Map.entry(PENDING, EnumSet.of(PREPARED, SKIPPED)),
            Map.entry(PREPARED, EnumSet.of(LEAVING, RESTARTING, RESTORED, SKIPPED)),
            Map.entry(LEAVING, EnumSet.of(PROPAGATING, RESTORING)),
            Map.entry(PROPAGATING, EnumSet.of(RESTARTING, RESTORING)),
            Map.entry(RESTARTING, EnumSet.of(CHECKING, RESTORING)),
            Map.entry(CHECKING, EnumSet.of(JOINING, RESTORING)),
            Map.entry(JOINING, EnumSet.of(JOINED, DONE, ROLLED_BACK, RESTORING)),
            Map.entry(JOINED, EnumSet.of(DONE, ROLLED_BACK, RESTORING)),
            Map.entry(RESTORING, EnumSet.of(RESTORED, PARKED)),
            Map.entry(DONE, EnumSet.of(LEAVING, RESTARTING)),
            Map.entry(RESTORED, EnumSet.of(PREPARED, LEAVING, RESTARTING)),
            Map.entry(PARKED, EnumSet.of(RESTARTING, RESTORING)),
            Map.entry(ROLLED_BACK, EnumSet.noneOf(HostState.class)),
            Map.entry(SKIPPED, EnumSet.noneOf(HostState.class)));

    public boolean canMoveTo(HostState next) {
        return NEXT.get(this).contains(next);
    }

    /** Out of rotation because of this rollout, with a journaled registration to put back. */
    public boolean outOfRotation() {
        return OUT.contains(this);
    }

    /** The host will not move again in this rollout unless a rollback takes it. */
    public boolean settled() {
        return FINAL.contains(this);
    }
}
