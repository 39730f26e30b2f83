package dev.baton.wire;

/**
 * A piece of untrusted text (a reply, an id from the registry) made safe to put in a one-line error:
 * control characters, quotes and backslashes escaped, cut to a bounded length.
 */
public final class Excerpt {
    private static final int MAX = 200;

    private Excerpt() {
    }

    /** The text in double quotes, escaped and cut; {@code "<nothing>"} for null or empty text. */
    public static String quoted(String text) {
        if (text == null || text.isEmpty()) return "<nothing>";
        StringBuilder out = new StringBuilder("\"");
        int end = Math.min(text.length(), MAX);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || Character.getType(c) == Character.FORMAT) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
        if (text.length() > MAX) out.append("... (").append(text.length()).append(" chars)");
        return out.toString();
    }

    /** The first non-blank line of a reply, quoted. */
    public static String firstLine(String text) {
        if (text == null) return quoted(null);
        return quoted(text.lines().filter(l -> !l.isBlank()).findFirst().map(String::strip).orElse(""));
    }
}
