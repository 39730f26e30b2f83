package dev.baton.plan;

/** A plan a user wrote is wrong: the message is one line naming file, line, column and field. */
public final class PlanException extends RuntimeException {
    public PlanException(String message) {
        super(message);
    }

    static PlanException at(Node node, String problem) {
        return new PlanException(node.where() + ": " + node.path() + ": " + problem);
    }
}
