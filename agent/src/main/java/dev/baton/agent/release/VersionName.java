package dev.baton.agent.release;

import java.util.regex.Pattern;

/** The rule for release version names; they become directory names, so they must never escape {@code releases/}. */
public final class VersionName {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");

    private VersionName() {
    }

    /** Returns the version unchanged or throws {@link IllegalArgumentException} with a one-line reason. */
    public static String check(String version) {
        if (version == null || version.isEmpty()) {
            throw new IllegalArgumentException("version is required");
        }
        if (!VALID.matcher(version).matches() || version.contains("..")) {
            throw new IllegalArgumentException("invalid version '" + printable(version)
                    + "': expected 1-64 characters of [A-Za-z0-9._+-], starting with a letter or digit, without '..'");
        }
        return version;
    }

    /** Echoes user input safely: short and on one line. */
    private static String printable(String text) {
        String shortened = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        StringBuilder out = new StringBuilder();
        shortened.codePoints().forEach(c -> out.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
        return out.toString();
    }
}
