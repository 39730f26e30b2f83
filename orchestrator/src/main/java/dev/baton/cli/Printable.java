package dev.baton.cli;

/**
 * Text from events and the server made safe for a terminal: control characters (ESC sequences that could move the
 * cursor, rewrite earlier lines or set the title, CR, BEL, ...) are shown escaped, as {@code \x1b}, {@code \n}.
 */
final class Printable {
    private Printable() {
    }

    static String escape(String text) {
        if (text == null) return "";
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) out.append(String.format("\\x%02x", (int) c));
                    else if (bidiOrSeparator(c)) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.toString();
    }

    /** Characters that reorder or break what follows on the line (Trojan Source style). */
    private static boolean bidiOrSeparator(char c) {
        return c == '\u2028' || c == '\u2029' || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
                || c == '\u200e' || c == '\u200f' || c == '\u061c';
    }
}
