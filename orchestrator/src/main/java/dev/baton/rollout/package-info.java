/**
 * The rollout engine. The whole loop lives in {@link dev.baton.rollout.RolloutEngine#run}: it resolves the
 * target instances, then hands each one to {@link dev.baton.rollout.HostRollout#run}, which walks the
 * per-host steps in order — LEAVE, PROPAGATE, RESTART, CHECK, JOIN — and, when one fails, puts the
 * instance back (RESTORE) or parks it in maintenance with the reason (PARK).
 *
 * <p>The engine does no I/O of its own: everything it touches is a port — {@link dev.baton.rollout.Registry},
 * {@link dev.baton.rollout.HostControl}, {@link dev.baton.rollout.HealthProbe}, {@link dev.baton.rollout.Clock},
 * {@link dev.baton.rollout.EventSink} — so it is tested with a fake clock and in-memory ports.
 */
package dev.baton.rollout;
