package dev.baton.hooks;

import java.time.Duration;
import java.util.List;

/** A deploy hook an admin defined in the hooks file: a program and its arguments (no shell), and a time bound. */
public record NamedHook(String name, List<String> argv, Duration timeout) {
    public NamedHook {
        argv = List.copyOf(argv);
    }
}
