package dev.baton.schedule;

import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Quartz job of one schedule (its job key is the schedule's id): hands the firing to the {@link RolloutScheduler}. */
final class ScheduledRolloutJob implements Job {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduledRolloutJob.class);

    private final RolloutScheduler scheduler;

    ScheduledRolloutJob(RolloutScheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public void execute(JobExecutionContext context) {
        String id = context.getJobDetail().getKey().getName();
        try {
            scheduler.fire(id, context.getScheduledFireTime().toInstant());
        } catch (RuntimeException e) {
            LOG.error("schedule {} could not fire: {}", id, e.getMessage(), e);
        }
    }
}
