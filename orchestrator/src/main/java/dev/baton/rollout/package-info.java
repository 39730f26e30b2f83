/**
 * The rollout engine. The whole loop lives in {@link dev.baton.rollout.RolloutRun#execute}: resolve the
 * targets, PREPARE every host, then for each batch of the {@link dev.baton.rollout.Schedule} obey the operator
 * ({@link dev.baton.rollout.RolloutControl}), check capacity, and hand each host to
 * {@link dev.baton.rollout.HostRollout#run}, which walks the per-host steps in order — BEFORE_HOST, LEAVE,
 * PROPAGATE, RESTART, CHECK, JOIN, AFTER_HOST — and, when one fails, puts the instance back (RESTORE) or
 * parks it in maintenance with the reason (PARK); then apply the failure policy (rollback, pause, abort).
 *
 * <p>The engine does no I/O of its own: everything it touches is a port, gathered in
 * {@link dev.baton.rollout.Ports} — {@link dev.baton.rollout.Registry}, {@link dev.baton.rollout.HostControl},
 * {@link dev.baton.rollout.HealthProbe}, {@link dev.baton.rollout.LoadBalancer}, {@link dev.baton.rollout.HookRunner},
 * {@link dev.baton.rollout.Clock}, {@link dev.baton.rollout.EventSink} — and what it must not forget across a
 * crash goes to the {@link dev.baton.rollout.Journal}; so it is tested with a fake clock and in-memory ports.
 */
package dev.baton.rollout;
