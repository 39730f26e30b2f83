package dev.baton.agent.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The app's command line: a program relative to the current release plus arguments.
 * {@code {pidfile}} in any argument is replaced by the pidfile's absolute path.
 */
public record AppCommand(String program, List<String> args) {

    public static final String PIDFILE_PLACEHOLDER = "{pidfile}";

    public AppCommand {
        args = List.copyOf(args);
    }

    /** Splits on whitespace; double quotes group words. Throws {@link IllegalArgumentException} with a one-line reason. */
    public static AppCommand parse(String line) {
        List<String> words;
        try {
            words = Words.split(line);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the app command has an unterminated double quote");
        }
        if (words.isEmpty()) {
            throw new IllegalArgumentException("the app command is empty");
        }
        String program = words.get(0);
        if (program.startsWith("/") || List.of(program.split("/")).contains("..")) {
            throw new IllegalArgumentException("the app command's program '" + program
                    + "' must be a path relative to the release directory");
        }
        return new AppCommand(program, words.subList(1, words.size()));
    }

    /**
     * The argv to run. The program goes through the {@code current} symlink rather than its real path, so that a
     * hot restart (which re-executes argv[0]) picks up the release {@code current} points at by then.
     */
    public List<String> argv(Path currentDir, Path pidFile) {
        List<String> argv = new ArrayList<>();
        argv.add(currentDir.resolve(program).toString());
        for (String arg : args) {
            argv.add(arg.replace(PIDFILE_PLACEHOLDER, pidFile.toString()));
        }
        return argv;
    }
}
