/**
 * The rollout engine. The whole loop lives in {@link dev.baton.rollout.RolloutRun#execute}: settle the hosts a
 * crash left out, resolve the targets, PREPARE every host, then for each batch of the
 * {@link dev.baton.rollout.Schedule} ask the {@link dev.baton.rollout.OperatorGate} (operator, progress deadline,
 * the fence of the service lock) and the {@link dev.baton.rollout.CapacityGuard}, and hand each host to
 * {@link dev.baton.rollout.HostRollout#run}, which walks {@link dev.baton.rollout.Step#HOST_STEPS} moving the host's
 * {@link dev.baton.rollout.HostState} along its transition table — and, whatever a step throws, puts the instance
 * back (RESTORE) or parks it in maintenance with the reason (PARK). Each decision comes back as a
 * {@link dev.baton.rollout.Verdict}: go on, or end the rollout, through a {@link dev.baton.rollout.Rollback}
 * when the {@link dev.baton.rollout.FailurePolicy} or the operator says so.
 *
 * <p>The engine does no I/O of its own: everything it touches is a port, gathered in
 * {@link dev.baton.rollout.Ports} — {@link dev.baton.rollout.Registry}, {@link dev.baton.rollout.HostControl},
 * {@link dev.baton.rollout.HealthProbe}, {@link dev.baton.rollout.LoadBalancer}, {@link dev.baton.rollout.HookRunner},
 * {@link dev.baton.rollout.Clock}, {@link dev.baton.rollout.EventSink} — and what it must not forget across a
 * crash goes to the {@link dev.baton.rollout.Journal}, before the action it announces; so it is tested with a fake
 * clock and in-memory ports.
 */
package dev.baton.rollout;
