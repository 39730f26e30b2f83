package dev.baton.schedule;

import dev.baton.plan.Plan;
import dev.baton.plan.PlanException;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.Clock;
import dev.baton.rollout.DeployWindows;
import dev.baton.server.RolloutException;
import dev.baton.store.ConsulKv;
import org.quartz.CronExpression;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.TimeZone;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Scheduled rollouts: Quartz with a RAMJobStore, rebuilt from Consul KV ({@code baton/schedules/}) at {@link #start}.
 * A firing starts the rollout through the same path as {@code POST /rollouts} (the {@link Starter}: plan checks,
 * service lock). A firing late after downtime (Quartz's misfires are dropped: cron triggers DoNothing) never starts
 * into a closed deploy window: a cron occurrence is skipped, an {@code at} moves to the next opening before its expiry.
 */
public final class RolloutScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutScheduler.class);
    /** A firing this long after its time is late (the server was down or starved). */
    static final Duration LATE = Duration.ofMinutes(1);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    /** Starts a rollout of a plan as {@code POST /rollouts} does; returns its id or throws with the one-line reason. */
    @FunctionalInterface
    public interface Starter {
        String start(String planText);
    }

    private final ScheduleStore store;
    private final ServiceWindows windows;
    private final Starter starter;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private Scheduler quartz;
    private volatile Consumer<Duration> lag = late -> { };

    public RolloutScheduler(ConsulKv kv, ServiceWindows windows, Starter starter, Clock clock) {
        this.store = new ScheduleStore(kv);
        this.windows = windows;
        this.starter = starter;
        this.clock = clock;
    }

    /** Hears how late each firing that starts a rollout is (when it started minus when Quartz was due to fire it). */
    public void onLag(Consumer<Duration> observer) {
        this.lag = observer;
    }

    /** Same as {@link #activate}: a single server fires its schedules from the start. */
    public void start() {
        activate();
    }

    /**
     * Fires schedules from now on (this server became the leader): arms every pending schedule from Consul afresh,
     * marks expired ones so, and starts Quartz. Until then {@link #list} still shows each schedule's next run.
     */
    public synchronized void activate() {
        try {
            if (quartz == null) {
                quartz = newQuartz();
            } else {
                quartz.clear(); // armed from Consul below: schedules made or cancelled by another leader meanwhile count
            }
            for (ScheduleRecord record : store.all()) {
                if (record.status() != ScheduleRecord.Status.PENDING) continue;
                if (record.once() && clock.now().isAfter(record.expires())) {
                    store.get(record.id()).ifPresent(v -> store.replace(v.record().ended(ScheduleRecord.Status.EXPIRED,
                            "expired unstarted at " + record.expires() + " (the server was down)"), v.index()));
                    continue;
                }
                schedule(record, record.once() ? later(record.at(), clock.now()) : null);
            }
            quartz.start();
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot start the scheduler: " + e.getMessage(), e);
        }
    }

    /** Stops firing (this server is no longer the leader); a firing in progress finishes. */
    public synchronized void standby() {
        try {
            if (quartz != null) quartz.standby();
        } catch (SchedulerException e) {
            LOG.warn("cannot put the scheduler in standby: {}", e.getMessage());
        }
    }

    private Scheduler newQuartz() throws SchedulerException {
        Properties config = new Properties();
        // one scheduler per server object: Quartz keeps schedulers by name in a JVM-wide repository
        config.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, "baton-" + UUID.randomUUID());
        config.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
        config.setProperty(StdSchedulerFactory.PROP_JOB_STORE_CLASS, "org.quartz.simpl.RAMJobStore");
        config.setProperty(StdSchedulerFactory.PROP_THREAD_POOL_CLASS, "org.quartz.simpl.SimpleThreadPool");
        config.setProperty("org.quartz.threadPool.threadCount", "2");
        config.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
        Scheduler created = new StdSchedulerFactory(config).getScheduler();
        created.setJobFactory((bundle, scheduler) -> new ScheduledRolloutJob(this));
        return created;
    }

    /** Validates the plan (it must have {@code schedule:}), stores the schedule and arms it. */
    public ScheduleView create(String planText, String createdBy) {
        Plan plan;
        try {
            plan = new PlanLoader().parse("plan", planText);
        } catch (PlanException e) {
            throw new RolloutException(RolloutException.Kind.BAD_INPUT, e.getMessage());
        }
        Plan.Scheduled when = plan.schedule();
        if (when == null) {
            throw new RolloutException(RolloutException.Kind.BAD_INPUT, "plan: schedule: is required to schedule a rollout "
                    + "(at: TIME or cron: \"0 0 2 * * ?\" with zone:)");
        }
        Instant now = clock.now();
        if (when.once() && !when.expires().isAfter(now)) {
            throw new RolloutException(RolloutException.Kind.BAD_INPUT, "plan: schedule.at: " + when.at() + " expired at "
                    + when.expires() + ", before now");
        }
        String id = "s-" + ID_TIME.format(now) + "-" + HexFormat.of().toHexDigits((short) random.nextInt());
        ScheduleRecord record = new ScheduleRecord(id, plan.service(), plan.version(), planText, when.at(), when.expires(),
                when.cron(), when.zone().getId(), ScheduleRecord.Status.PENDING, createdBy, now, null, null, null);
        store.create(record);
        synchronized (this) {
            schedule(record, record.once() ? later(record.at(), now) : null);
        }
        return view(record);
    }

    public ScheduleView cancel(String id, String by) {
        ScheduleStore.Versioned current = store.get(id).orElseThrow(() -> new RolloutException(RolloutException.Kind.NOT_FOUND, "no such schedule: " + id));
        if (current.record().status() != ScheduleRecord.Status.PENDING) {
            throw new RolloutException(RolloutException.Kind.CONFLICT, "cannot cancel " + id + ": it is " + current.record().status());
        }
        ScheduleRecord cancelled = current.record().ended(ScheduleRecord.Status.CANCELLED, "cancelled by " + by);
        if (!store.replace(cancelled, current.index())) {
            throw new RolloutException(RolloutException.Kind.CONFLICT, "cannot cancel " + id + ": it changed meanwhile (it may have fired); look again");
        }
        unschedule(id);
        return view(cancelled);
    }

    /** Every schedule in Consul, newest first. */
    public List<ScheduleView> list() {
        return store.all().stream().sorted(Comparator.comparing(ScheduleRecord::created).reversed()).map(this::view).toList();
    }

    /** A firing of schedule {@code id} that Quartz planned for {@code due}. */
    void fire(String id, Instant due) {
        ScheduleStore.Versioned current = store.get(id).orElse(null);
        if (current == null || current.record().status() != ScheduleRecord.Status.PENDING) {
            unschedule(id);
            return;
        }
        ScheduleRecord record = current.record();
        Instant now = clock.now();
        Instant planned = due;
        if (record.once()) due = record.at();
        if (record.lastRun() != null && !record.lastRun().isBefore(due)) return; // another server took this occurrence
        if (record.once() && now.isAfter(record.expires())) {
            store.replace(record.ended(ScheduleRecord.Status.EXPIRED, "expired unstarted at " + record.expires()), current.index());
            return;
        }
        DeployWindows serviceWindows = windows.forService(record.service());
        if (Duration.between(due, now).compareTo(LATE) > 0 && !serviceWindows.open(now)) {
            skipLate(current, serviceWindows, now, due);
            return;
        }
        ScheduleRecord.Status next = record.once() ? ScheduleRecord.Status.FIRED : ScheduleRecord.Status.PENDING;
        if (!store.replace(record.ran(now, null, "starting", next), current.index())) return;
        String rollout = null;
        String result;
        lag.accept(Duration.between(planned, now));
        try {
            rollout = starter.start(record.plan());
            result = "started " + rollout;
        } catch (RuntimeException e) {
            result = "refused: " + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        }
        LOG.info("schedule {} fired for {} {}: {}", id, record.service(), record.version(), result);
        String shown = rollout;
        String line = result;
        store.get(id).ifPresent(v -> store.replace(v.record().ran(now, shown, line, v.record().status()), v.index()));
    }

    /** Late after downtime into a closed window: a cron occurrence is skipped; an {@code at} waits for the next opening. */
    private void skipLate(ScheduleStore.Versioned current, DeployWindows serviceWindows, Instant now, Instant due) {
        ScheduleRecord record = current.record();
        DeployWindows.State state = serviceWindows.at(now);
        String why = "late (" + Duration.between(due, now).toMinutes() + "m) into a closed deploy window ("
                + state.why() + ")";
        if (!record.once()) {
            store.replace(record.ran(now, null, "skipped: " + why, ScheduleRecord.Status.PENDING), current.index());
        } else if (state.until() != null && state.until().isBefore(record.expires())) {
            if (store.replace(record.ended(ScheduleRecord.Status.PENDING, "moved to " + state.until() + ": " + why), current.index())) {
                synchronized (this) {
                    unschedule(record.id());
                    schedule(record, state.until());
                }
            }
        } else {
            store.replace(record.ended(ScheduleRecord.Status.EXPIRED, "expired unstarted: " + why + " until after its expiry "
                    + record.expires()), current.index());
        }
    }

    private void schedule(ScheduleRecord record, Instant at) {
        if (quartz == null) return; // not started yet: start() arms every pending schedule from Consul
        TriggerBuilder<Trigger> trigger = TriggerBuilder.newTrigger().withIdentity(record.id());
        Trigger armed = record.once()
                ? trigger.startAt(Date.from(at)).withSchedule(SimpleScheduleBuilder.simpleSchedule()
                        .withMisfireHandlingInstructionFireNow()).build()
                : trigger.withSchedule(CronScheduleBuilder.cronSchedule(record.cron()).inTimeZone(TimeZone.getTimeZone(record.zone()))
                        .withMisfireHandlingInstructionDoNothing()).build();
        try {
            quartz.scheduleJob(JobBuilder.newJob(ScheduledRolloutJob.class).withIdentity(record.id()).build(), armed);
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot schedule " + record.id() + ": " + e.getMessage(), e);
        }
    }

    private synchronized void unschedule(String id) {
        try {
            if (quartz != null) quartz.deleteJob(JobKey.jobKey(id));
        } catch (SchedulerException e) {
            LOG.warn("cannot unschedule {}: {}", id, e.getMessage());
        }
    }

    private ScheduleView view(ScheduleRecord record) {
        Instant next = null;
        if (record.status() == ScheduleRecord.Status.PENDING) {
            try {
                Trigger trigger = quartz == null ? null : quartz.getTrigger(TriggerKey.triggerKey(record.id()));
                if (trigger != null && trigger.getNextFireTime() != null) next = trigger.getNextFireTime().toInstant();
            } catch (SchedulerException e) {
                LOG.warn("cannot read the trigger of {}: {}", record.id(), e.getMessage());
            }
            if (next == null) next = nextRun(record); // a follower does not arm schedules: it reads them
        }
        DeployWindows.State state = windows.forService(record.service()).at(clock.now());
        return ScheduleView.of(record, next, new ScheduleView.Window(state.open(), state.why(), state.until()));
    }

    /** When the schedule fires next, from its record alone (no trigger armed on this server). */
    private Instant nextRun(ScheduleRecord record) {
        Instant now = clock.now();
        if (record.once()) return later(record.at(), now);
        try {
            CronExpression cron = new CronExpression(record.cron());
            cron.setTimeZone(TimeZone.getTimeZone(record.zone()));
            Date next = cron.getNextValidTimeAfter(Date.from(now));
            return next == null ? null : next.toInstant();
        } catch (java.text.ParseException e) {
            return null;
        }
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** Stops firing; a firing in progress finishes its start first (so this must not hold the lock firings take). */
    @Override
    public void close() {
        Scheduler stopping;
        synchronized (this) {
            stopping = quartz;
        }
        try {
            if (stopping != null) stopping.shutdown(true);
        } catch (SchedulerException e) {
            LOG.warn("stopping the scheduler: {}", e.getMessage());
        }
    }
}
