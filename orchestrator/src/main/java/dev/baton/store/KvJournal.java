package dev.baton.store;

import dev.baton.rollout.Journal;
import dev.baton.rollout.Registration;
import dev.baton.rollout.RolloutResult;
import dev.baton.rollout.StepFailure;
import dev.baton.rollout.SwitchedHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rollout's journal in Consul KV. {@link #leaving} returns only once the registration is stored: the engine
 * deregisters right after, and a crash must never lose what to put back. If it cannot be stored the call
 * throws, and the host does not leave.
 */
public final class KvJournal implements Journal {
    private static final Logger LOG = LoggerFactory.getLogger(KvJournal.class);
    private static final int ATTEMPTS = 3;

    private final RolloutStore store;
    private final String rolloutId;

    public KvJournal(RolloutStore store, String rolloutId) {
        this.store = store;
        this.rolloutId = rolloutId;
    }

    @Override
    public void leaving(Registration saved) throws StepFailure {
        try {
            retry(() -> store.leaving(rolloutId, saved), "the saved registration of " + saved.instance().id(), true);
        } catch (StoreException e) {
            throw new StepFailure(e.getMessage(), e);
        }
    }

    @Override
    public void settled(String instanceId, RolloutResult.HostState state, String version) {
        retry(() -> store.settled(rolloutId, instanceId, state, version), "how " + instanceId + " settled", false);
    }

    @Override
    public void switched(SwitchedHost host) {
        retry(() -> store.switched(rolloutId, host), "the previous version of " + host.saved().instance().id(), false);
    }

    private void retry(Runnable write, String what, boolean mustSucceed) {
        StoreException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                write.run();
                return;
            } catch (StoreException e) {
                last = e;
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (mustSucceed) {
            throw new StoreException("cannot journal " + what + " for " + rolloutId + ": " + last.getMessage(), last);
        }
        LOG.warn("cannot journal {} for {}: {}", what, rolloutId, last.getMessage());
    }
}
