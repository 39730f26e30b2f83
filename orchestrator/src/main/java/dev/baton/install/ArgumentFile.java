package dev.baton.install;

import java.util.List;

/**
 * A picocli argument file ({@code baton-agent @FILE}): one argument per line, each in double quotes with {@code \}
 * and {@code "} escaped, so spaces, {@code #}, {@code $} and quotes in a command stay inside their argument.
 */
final class ArgumentFile {
    private ArgumentFile() {
    }

    static String of(String header, List<String> args) {
        StringBuilder text = new StringBuilder();
        header.lines().forEach(line -> text.append("# ").append(line).append('\n'));
        for (String arg : args) {
            if (arg.indexOf('\n') >= 0 || arg.indexOf('\r') >= 0 || arg.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("an agent argument cannot hold a line break or NUL: \"" + arg.strip() + "\"");
            }
            text.append('"').append(arg.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n");
        }
        return text.toString();
    }
}
