package dev.baton.ssh;

/**
 * POSIX shell quoting: every value that reaches a remote shell goes through {@link #quote}. Inside single quotes
 * nothing is special ({@code $()}, backticks, backslashes, newlines stay literal) except the single quote itself,
 * which is written as {@code '\''}: close the quote, an escaped quote, open again.
 */
public final class ShellQuote {
    private ShellQuote() {
    }

    /**
     * @throws IllegalArgumentException for a NUL character, which no shell word can carry (the remote shell would
     *                                  cut the value there, silently running something else)
     */
    public static String quote(String value) {
        if (value == null) throw new IllegalArgumentException("cannot quote a missing value for the remote shell");
        if (value.indexOf('\0') >= 0) throw new IllegalArgumentException("a NUL character cannot be passed to a remote shell");
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** {@code name='value'} for a shell variable assignment; the name must be a plain shell identifier. */
    public static String assignment(String name, String value) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]{0,63}")) {
            throw new IllegalArgumentException("\"" + name + "\" is not a shell variable name");
        }
        return name + "=" + quote(value);
    }
}
