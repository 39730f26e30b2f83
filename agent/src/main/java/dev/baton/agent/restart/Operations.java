package dev.baton.agent.restart;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** The last operations (bounded), and the rule that only one runs at a time. */
final class Operations {

    static final int KEPT = 50;

    private final AtomicLong sequence = new AtomicLong();
    private final Deque<Operation> recent = new ArrayDeque<>();

    /** Registers a new RUNNING operation, or throws {@link OperationConflictException}. */
    synchronized Operation begin(RestartPlan plan) {
        Optional<Operation> running = running();
        if (running.isPresent()) {
            throw new OperationConflictException(running.get().id());
        }
        Operation operation = new Operation("op-" + sequence.incrementAndGet(), plan);
        recent.addLast(operation);
        while (recent.size() > KEPT) {
            recent.removeFirst();
        }
        return operation;
    }

    synchronized Optional<Operation> find(String id) {
        return recent.stream().filter(op -> op.id().equals(id)).findFirst();
    }

    synchronized Optional<Operation> running() {
        return recent.stream().filter(Operation::isRunning).findFirst();
    }
}
