package dev.baton.agent.http;

import java.util.Map;

/** An HTTP error answer: a status, a one-line message and optional extra headers. */
final class ApiException extends Exception {

    private final int status;
    private final Map<String, String> headers;

    ApiException(int status, String message) {
        this(status, message, Map.of());
    }

    ApiException(int status, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.headers = headers;
    }

    int status() {
        return status;
    }

    Map<String, String> headers() {
        return headers;
    }

    /** Echoes request text (paths, ids) safely: short, one line. */
    static String printable(String text) {
        String shortened = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        StringBuilder out = new StringBuilder();
        shortened.codePoints().forEach(c -> out.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
        return out.toString();
    }
}
