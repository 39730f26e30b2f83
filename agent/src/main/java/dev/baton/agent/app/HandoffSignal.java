package dev.baton.agent.app;

import java.util.Locale;

/** The signal that asks the app to hand its listener to a successor: USR2 (grace, the demo app) or HUP (endless, tableflip). */
public enum HandoffSignal {
    USR2, HUP;

    /** Accepts USR2, SIGUSR2, HUP or SIGHUP in any case; anything else is a one-line error. */
    public static HandoffSignal parse(String text) {
        String name = text.trim().toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        for (HandoffSignal signal : values()) {
            if (signal.name().equals(name)) {
                return signal;
            }
        }
        throw new IllegalArgumentException("--handoff-signal must be USR2 or HUP, got '" + text + "'");
    }

    /** "SIGUSR2", as the operation's details say it. */
    public String signalName() {
        return "SIG" + name();
    }
}
