package dev.baton.store;

import dev.baton.rollout.HostState;
import dev.baton.rollout.Journal;
import dev.baton.rollout.Registration;
import dev.baton.rollout.StepFailure;
import dev.baton.rollout.SwitchedHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

/**
 * A rollout's journal in Consul KV. {@link #leaving} returns only once the registration is stored: the engine
 * takes the host out right after, and a crash must never lose what to put back. If it cannot be stored the call
 * throws, and the host does not leave. Other moves are retried, then logged: a lost move only makes a resumed
 * rollout put back a host that was already back, which is harmless.
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
    public void moved(String instanceId, HostState state, String version) {
        retry(() -> store.moved(rolloutId, instanceId, state, version), instanceId + " moving to " + state, false);
    }

    @Override
    public void switched(SwitchedHost host) {
        retry(() -> store.switched(rolloutId, host), "the previous version of " + host.saved().instance().id(), false);
    }

    @Override
    public Set<String> knownInstances(String service) {
        try {
            return store.knownInstances(service);
        } catch (StoreException e) {
            LOG.warn("cannot read the known instances of {}: {}", service, e.getMessage());
            return Set.of();
        }
    }

    @Override
    public void rememberInstances(String service, Set<String> ids) {
        retry(() -> store.rememberInstances(service, ids), "the instances of " + service, false);
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
