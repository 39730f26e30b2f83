package dev.baton.agent.app;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a main pid from what a status command printed: a bare number ({@code systemctl show -p MainPID --value},
 * {@code supervisorctl pid}; 0 means none), or the first "pid N" of the first entry ({@code sv status}:
 * "run: /srv/app: (pid 123) 5s; run: log: (pid 124) 5s" names the app first, its logger after the ';').
 */
public final class MainPidOutput {

    private static final Pattern BARE = Pattern.compile("\\d{1,10}");
    private static final Pattern LABELLED = Pattern.compile("\\bpid (\\d{1,10})\\b");

    private MainPidOutput() {
    }

    public static OptionalLong parse(String output) {
        String text = output.strip();
        if (BARE.matcher(text).matches()) {
            return positive(Long.parseLong(text));
        }
        String first = text.split("[;\\n]", 2)[0];
        if (first.startsWith("down:") || first.startsWith("finish:")) {
            return OptionalLong.empty();
        }
        Matcher labelled = LABELLED.matcher(first);
        return labelled.find() ? positive(Long.parseLong(labelled.group(1))) : OptionalLong.empty();
    }

    private static OptionalLong positive(long pid) {
        return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
    }
}
