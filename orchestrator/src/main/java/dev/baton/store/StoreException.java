package dev.baton.store;

/** Consul KV could not do what the store asked; the message is one line (never a token). */
public final class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
