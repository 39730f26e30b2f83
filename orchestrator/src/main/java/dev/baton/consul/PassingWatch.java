package dev.baton.consul;

import dev.baton.rollout.Instance;
import dev.baton.rollout.StepFailure;
import okhttp3.HttpUrl;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.function.UnaryOperator;

/**
 * The passing instances of one service, read once for every host waiting on it ({@code /v1/health/service/<name>
 * ?passing=true}) instead of once per host: a batch of hosts leaving or joining together shares its reads. A waiter
 * trusts only answers to requests sent after it started waiting (what the per-host read it replaces would have seen):
 * a plain read is sent for it unless one sent after it is on its way, and while anyone waits a blocking query watches
 * for the next change; when a change arrives on a query older than a waiter, a plain read follows for it. Each query
 * asks only for the instances waited on when it is sent (a filter on their service ids): the whole passing list of a
 * 200-instance service is 600 kB, read again at every change while a batch leaves or joins. A waiter trusts only
 * answers sent after it started waiting, and those name it in their filter.
 */
final class PassingWatch {
    private static final Duration BLOCK = Duration.ofSeconds(5);
    private static final Duration BLOCK_MARGIN = Duration.ofSeconds(5);
    private static final Duration READ = Duration.ofSeconds(10);
    private static final long RETRY_AFTER_FAILURE_MS = 200;
    /** More instances waited on at once than this are asked without a filter (the whole passing list). */
    static final int MAX_FILTERED = 100;

    private final ConsulClient consul;
    private final HttpUrl address;
    private final String service;
    private final ExecutorService readers;

    // guarded by this
    private ConsulClient.Answer latest;
    private long latestSentAt;
    private StepFailure failure;
    private long failureSentAt;
    /** When each current waiter started waiting (a waiter satisfied or gone is removed). */
    private final java.util.TreeMap<Long, Integer> waitingSince = new java.util.TreeMap<>();
    /** The instances current waiters wait on (an instance may have more than one waiter). */
    private final java.util.TreeMap<String, Integer> waitingFor = new java.util.TreeMap<>();
    private boolean readInFlight;
    private long readSentAt;
    private boolean readAgain;
    private Duration nextReadTimeout = READ;
    private boolean watching;

    PassingWatch(ConsulClient consul, HttpUrl address, String service, ExecutorService readers) {
        this.consul = consul;
        this.address = address;
        this.service = service;
        this.readers = readers;
    }

    /** As {@link ConsulRegistry#awaitPassing}: true once the instance is ({@code passing}) or is not among the passing. */
    boolean await(Instance instance, boolean passing, Duration timeout) throws StepFailure, InterruptedException {
        long since = System.nanoTime();
        long deadline = since + timeout.toNanos();
        synchronized (this) {
            waitingSince.merge(since, 1, Integer::sum);
            waitingFor.merge(instance.id(), 1, Integer::sum);
            try {
                read(since, quickRead(timeout));
                while (true) {
                    if (failure != null && failureSentAt >= since) throw failure;
                    if (latest != null && latestSentAt >= since && HealthEntries.lists(latest.body(), instance) == passing) return true;
                    long left = deadline - System.nanoTime();
                    // a read sent for this wait is still on its way: its own timeout bounds it, as the per-host read's did
                    boolean answerOwed = (latest == null || latestSentAt < since) && readInFlight && readSentAt >= since;
                    if (left <= 0 && !answerOwed) return false;
                    wait(Math.max(1, left > 0 ? left / 1_000_000 : 50));
                }
            } finally {
                waitingSince.computeIfPresent(since, (k, n) -> n == 1 ? null : n - 1);
                waitingFor.computeIfPresent(instance.id(), (k, n) -> n == 1 ? null : n - 1);
            }
        }
    }

    private boolean waiting() {
        return !waitingSince.isEmpty();
    }

    /** A plain read, unless one sent after {@code since} is on its way; one sent before it means another after it. */
    private void read(long since, Duration timeout) {
        if (readInFlight) {
            if (readSentAt < since) {
                readAgain = true;
                nextReadTimeout = timeout;
            }
            return;
        }
        readInFlight = true;
        readSentAt = System.nanoTime();
        long sentAt = readSentAt;
        UnaryOperator<HttpUrl.Builder> passing = passingOfWaited();
        readers.execute(() -> {
            ConsulClient.Answer answer = null;
            StepFailure failed = null;
            try {
                answer = consul.get(address, List.of("v1", "health", "service", service), passing, timeout);
            } catch (StepFailure e) {
                failed = e;
            } catch (RuntimeException e) {
                failed = new StepFailure("reading the health of " + service + " failed: " + e, e);
            }
            synchronized (this) {
                readInFlight = false;
                settle(answer, failed, sentAt);
                if (readAgain && waiting()) {
                    readAgain = false;
                    read(System.nanoTime(), nextReadTimeout);
                } else if (waiting()) {
                    watch(); // someone still waits: watch for the next change from this answer's index
                }
            }
        });
    }

    /** While anyone waits after a plain read, one blocking query at a time for the next change, from its index. */
    private void watch() {
        if (watching) return;
        watching = true;
        readers.execute(this::watchLoop);
    }

    private void watchLoop() {
        long index;
        synchronized (this) {
            index = latest == null ? 0 : latest.index();
        }
        while (true) {
            long sentAt;
            UnaryOperator<HttpUrl.Builder> passing;
            synchronized (this) {
                if (!waiting()) {
                    watching = false;
                    return;
                }
                sentAt = System.nanoTime();
                passing = passingOfWaited();
            }
            long since = index;
            ConsulClient.Answer answer = null;
            StepFailure failed = null;
            try {
                answer = since == 0
                        ? consul.get(address, List.of("v1", "health", "service", service), passing, READ)
                        : consul.get(address, List.of("v1", "health", "service", service), q -> passing.apply(q)
                        .addQueryParameter("index", Long.toString(since)).addQueryParameter("wait", BLOCK.toMillis() + "ms"),
                        BLOCK.plus(BLOCK.dividedBy(16)).plus(BLOCK_MARGIN));
            } catch (StepFailure e) {
                failed = e;
            } catch (RuntimeException e) {
                failed = new StepFailure("watching the health of " + service + " failed: " + e, e);
            }
            synchronized (this) {
                boolean changed = answer != null && answer.index() != since;
                settle(answer, failed, sentAt);
                // the change came on a query older than some waiter: a plain read sent now is one it can trust
                if (changed && waiting() && waitingSince.lastKey() > sentAt) read(System.nanoTime(), READ);
            }
            if (failed != null) {
                sleepQuietly(RETRY_AFTER_FAILURE_MS);
                index = 0;
            } else if (answer.index() > since) {
                index = answer.index();
            } else {
                // Consul may answer early with an unchanged or reset index; never spin on it
                sleepQuietly(50);
                index = 0;
            }
        }
    }

    /**
     * The passing instances among those waited on now (called under the lock, when a query is sent); all of them when
     * too many are waited on, or an id could not be quoted in a filter.
     */
    private UnaryOperator<HttpUrl.Builder> passingOfWaited() {
        boolean filtered = !waitingFor.isEmpty() && waitingFor.size() <= MAX_FILTERED
                && waitingFor.keySet().stream().allMatch(ConsulNames::isSafe);
        if (!filtered) return q -> q.addQueryParameter("passing", "true");
        String filter = waitingFor.keySet().stream().map(id -> "Service.ID == \"" + id + "\"")
                .collect(java.util.stream.Collectors.joining(" or "));
        return q -> q.addQueryParameter("passing", "true").addQueryParameter("filter", filter);
    }

    /** Keeps the newest answer (highest index, then latest sent); a failure is kept for the waiters older than it. */
    private void settle(ConsulClient.Answer answer, StepFailure failed, long sentAt) {
        if (failed != null) {
            failure = failed;
            failureSentAt = sentAt;
        } else if (latest == null || answer.index() > latest.index() || (answer.index() == latest.index() && sentAt > latestSentAt)
                || answer.index() == 0) {
            latest = answer;
            latestSentAt = sentAt;
        }
        notifyAll();
    }

    /** A plain read within a wait: what is left of the wait, at least a second, at most {@link #READ}. */
    private static Duration quickRead(Duration left) {
        if (left.compareTo(Duration.ofSeconds(1)) < 0) return Duration.ofSeconds(1);
        return left.compareTo(READ) > 0 ? READ : left;
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
