package dev.baton.server;

import dev.baton.rollout.Event;
import dev.baton.rollout.EventSink;
import dev.baton.rollout.Journal;
import dev.baton.rollout.Registration;
import dev.baton.rollout.RolloutControl;
import dev.baton.rollout.HostState;
import dev.baton.rollout.RolloutResult;
import dev.baton.store.LoggedEvent;
import dev.baton.store.RolloutRecord;
import dev.baton.store.RolloutStatus;
import dev.baton.store.RolloutStore;
import dev.baton.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A rollout running on this server: the engine's event sink and journal, the operators' control, the live
 * view and its watchers. Each event is numbered, applied to the view, queued for Consul with the record (stored with
 * the next KV transaction, see {@code RolloutStore#append}) and published to the watchers once stored; the engine never
 * waits for Consul to emit, and events keep their order even when hosts run in parallel.
 */
final class LiveRollout implements EventSink, Journal {
    private static final Logger LOG = LoggerFactory.getLogger(LiveRollout.class);

    private final RolloutView view;
    private final RolloutControl control = new RolloutControl();
    private final RolloutStore store;
    private final Journal journal;
    private final EventFanout fanout;
    /** Held while an event is numbered, stored and published: one at a time, in order. */
    private final Object publishing = new Object();
    private long seq;
    /**
     * What the API shows: the record as of the last event shown to watchers (it never runs ahead of the event log),
     * or the view itself while no event waits to be stored. Guarded by this.
     */
    private RolloutRecord shown;
    /** Events applied to the view and not yet stored and shown. Guarded by this. */
    private int unshown;
    private boolean stopping;
    private boolean storeFailing;

    LiveRollout(RolloutView view, List<LoggedEvent> past, RolloutStore store, Journal journal, int watcherQueue) {
        this.view = view;
        this.store = store;
        this.journal = journal;
        this.fanout = new EventFanout(past, view.status(), watcherQueue);
        this.seq = past.isEmpty() ? 0 : past.get(past.size() - 1).seq();
        this.shown = view.record();
        // a resumed rollout keeps what operators asked before the server stopped
        if (view.status() == RolloutStatus.PAUSED) control.send(RolloutControl.Command.PAUSE);
        if (view.status() == RolloutStatus.ROLLING_BACK) {
            control.send(RolloutControl.Command.ROLLBACK);
            stopping = true;
        }
    }

    String id() {
        return view.id();
    }

    RolloutControl control() {
        return control;
    }

    @Override
    public void emit(Event event) {
        synchronized (publishing) {
            LoggedEvent logged;
            RolloutRecord record;
            RolloutStatus changed = null;
            synchronized (this) {
                logged = LoggedEvent.of(++seq, event);
                if (view.apply(logged)) changed = view.status();
                record = view.record();
                unshown++;
            }
            RolloutStatus status = changed;
            // the record rides along only when the rollout's status changed (its hosts are rebuilt from the events
            // when shown, and stored when they settle): rewriting every host with every event was most of what a
            // 200-host rollout sent to Consul
            RolloutRecord stored = status == null ? null : RecordForm.stored(record);
            // shown to watchers once stored: a watcher never sees an event a crash could lose (and its seq reused)
            persist("event " + logged.seq(), () -> store.append(view.id(), logged, stored, () -> {
                fanout.publish(logged);
                if (status != null) fanout.publish(status);
                synchronized (this) {
                    unshown--;
                    shown = unshown == 0 ? view.record() : record;
                }
            }));
        }
    }

    @Override
    public void leaving(Registration saved) throws dev.baton.rollout.StepFailure {
        journal.leaving(saved);
    }

    @Override
    public void switched(dev.baton.rollout.SwitchedHost host) {
        journal.switched(host);
    }

    @Override
    public void moved(String instanceId, HostState state, String version) {
        journal.moved(instanceId, state, version);
        synchronized (publishing) {
            RolloutRecord record;
            synchronized (this) {
                view.moved(instanceId, state, version);
                record = view.record();
                showIfCaughtUp();
            }
            if (state.settled()) persist("the record", () -> store.saveLater(RecordForm.stored(record)));
        }
    }

    @Override
    public java.util.Set<String> knownInstances(String service) {
        return journal.knownInstances(service);
    }

    @Override
    public void rememberInstances(String service, java.util.Set<String> ids) {
        journal.rememberInstances(service, ids);
    }

    /** The release a host's agent reported before the rollout reached it. */
    synchronized void reported(String host, String version) {
        view.reported(host, version);
        showIfCaughtUp();
    }

    synchronized void targets(List<RolloutView.Target> targets) {
        view.targets(targets);
        showIfCaughtUp();
    }

    /** A change that is no event is shown at once, unless events wait to be shown (then with the last of them). */
    private void showIfCaughtUp() {
        if (unshown == 0) shown = view.record();
    }

    /** The engine returned (or crashed): the final status is stored, published, and every stream ends. */
    RolloutRecord finish(RolloutStatus status, String summary) {
        synchronized (publishing) {
            RolloutRecord record;
            boolean changed;
            synchronized (this) {
                changed = view.finish(status, summary, Instant.now());
                record = view.record();
            }
            persistFinal(record);
            synchronized (this) {
                shown = view.record();
            }
            if (changed) fanout.publish(record.status());
            fanout.end();
            return record;
        }
    }

    /**
     * This server lost the service lock: it stops without storing a final status (the next owner resumes from the
     * journal and writes the end), and ends its streams so that watchers reconnect to the stored record. Returns the
     * record as it stood, not final.
     */
    RolloutRecord handOver(String why) {
        synchronized (publishing) {
            RolloutRecord record;
            synchronized (this) {
                stopping = true;
                record = view.record();
                shown = record;
            }
            LOG.info("rollout {}: handed over after {}", record.id(), why);
            fanout.end();
            return record;
        }
    }

    synchronized RolloutRecord record() {
        return view.record();
    }

    /** The record as shown with the events shown so far (the view may be ahead while events wait to be stored). */
    synchronized RolloutDetails details() {
        return new RolloutDetails(shown, fanout.history(), actions());
    }

    Feed follow(long afterSeq) {
        return fanout.subscribe(afterSeq);
    }

    /** Sends an operator's command if it makes sense now; otherwise a conflict naming why. */
    RolloutDetails command(RolloutControl.Command command) {
        String action = command.name().toLowerCase().replace('_', '-');
        synchronized (this) {
            List<String> actions = actions();
            if (!actions.contains(action)) {
                throw RolloutException.conflict("cannot " + action + " " + view.id() + ": it is " + view.status()
                        + (stopping && !view.status().isFinal() ? " and stopping" : "")
                        + (actions.isEmpty() ? "" : " (possible now: " + String.join(", ", actions) + ")"));
            }
            try {
                control.send(command);
            } catch (IllegalStateException e) {
                throw RolloutException.conflict("cannot " + action + " " + view.id() + ": " + e.getMessage());
            }
            if (command == RolloutControl.Command.ABORT || command == RolloutControl.Command.ROLLBACK) stopping = true;
        }
        return details();
    }

    /** The lock on the service was lost: no command is taken any more (the fence stops the engine). */
    synchronized void lockLost() {
        stopping = true;
    }

    private List<String> actions() {
        RolloutStatus status = view.status();
        List<String> actions = new ArrayList<>();
        if (status.isFinal() || status == RolloutStatus.ROLLING_BACK || stopping) return actions;
        if (status == RolloutStatus.AWAITING_PROMOTION) {
            actions.add("promote");
        } else {
            actions.add(control.paused() ? "resume" : "pause");
        }
        if (!control.windows().isEmpty() && !control.windowOverridden()) actions.add("override-window");
        actions.add("abort");
        actions.add("rollback");
        return actions;
    }

    private void persistFinal(RolloutRecord record) {
        for (int attempt = 1; attempt <= 5; attempt++) {
            try {
                store.save(RecordForm.stored(record));
                return;
            } catch (StoreException e) {
                LOG.warn("cannot store the final status of {} (attempt {}): {}", record.id(), attempt, e.getMessage());
                try {
                    Thread.sleep(500L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void persist(String what, Runnable write) {
        try {
            write.run();
            if (storeFailing) LOG.warn("storing {} in Consul works again", view.id());
            storeFailing = false;
        } catch (StoreException e) {
            if (!storeFailing) LOG.warn("cannot store {} of {} (the rollout goes on): {}", what, view.id(), e.getMessage());
            storeFailing = true;
        }
    }
}
