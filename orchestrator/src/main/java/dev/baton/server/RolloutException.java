package dev.baton.server;

/** A request the server refuses: the message is one line for the user, the kind picks the HTTP status. */
public final class RolloutException extends RuntimeException {
    public enum Kind { BAD_INPUT, NOT_FOUND, CONFLICT, UNAVAILABLE }

    private final Kind kind;

    public RolloutException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    static RolloutException notFound(String id) {
        return new RolloutException(Kind.NOT_FOUND, "no rollout " + printable(id));
    }

    static RolloutException conflict(String message) {
        return new RolloutException(Kind.CONFLICT, message);
    }

    /** User input in a message: bounded, printable. */
    static String printable(String text) {
        String cut = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
