package dev.baton.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The registrations of the hosts about to leave, read while the capacity guard counts the passing instances: both
 * only read Consul, so the hosts' LEAVE need not wait for one read after the other. LEAVE takes its host's, unless it
 * is older than {@link #FRESH} (the guard waited for capacity): then it reads it again.
 */
final class EarlyRegistrations {
    static final Duration FRESH = Duration.ofSeconds(2);
    static final EarlyRegistrations NONE = new EarlyRegistrations(Map.of(), Clock.SYSTEM);
    private static final ExecutorService READERS = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "baton-early-read");
        thread.setDaemon(true);
        return thread;
    });

    private final Map<String, CompletableFuture<Read>> reads;
    private final Clock clock;

    private record Read(Registration registration, StepFailure failure, Instant at) {
    }

    private EarlyRegistrations(Map<String, CompletableFuture<Read>> reads, Clock clock) {
        this.reads = reads;
        this.clock = clock;
    }

    /** Starts reading the registration of each of {@code hosts}. */
    static EarlyRegistrations read(Registry registry, List<Instance> hosts, Clock clock) {
        Map<String, CompletableFuture<Read>> reads = new HashMap<>();
        for (Instance host : hosts) {
            reads.put(host.id(), CompletableFuture.supplyAsync(() -> {
                try {
                    return new Read(registry.save(host), null, clock.now());
                } catch (StepFailure e) {
                    return new Read(null, e, clock.now());
                }
            }, READERS));
        }
        return new EarlyRegistrations(reads, clock);
    }

    /** The host's registration as read early when that read is fresh, else as read now; throws what the read threw. */
    Registration take(Registry registry, Instance host) throws StepFailure, InterruptedException {
        CompletableFuture<Read> early = reads.get(host.id());
        if (early == null) return registry.save(host);
        Read read;
        try {
            read = early.get();
        } catch (ExecutionException e) {
            // not a StepFailure (those are kept in the Read): a bug, or a registry that broke; read as LEAVE always did
            return registry.save(host);
        }
        if (Duration.between(read.at(), clock.now()).compareTo(FRESH) > 0) return registry.save(host);
        if (read.failure() != null) throw read.failure();
        return read.registration();
    }
}
