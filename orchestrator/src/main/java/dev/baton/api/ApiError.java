package dev.baton.api;

/** An HTTP error answer: {@code {"error":"<message>"}} with the status. */
final class ApiError extends RuntimeException {
    private final int status;

    ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}
