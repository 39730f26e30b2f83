package dev.baton.agent.restart;

import java.util.Arrays;
import java.util.Optional;

public enum Strategy {
    /** SIGTERM the app, wait for it to drain, switch the release, start the new one. */
    STOP_START("stop-start"),
    /** Switch the release, send the hand-off signal (through the app's supervisor, if any): it starts its successor on the same listener, then drains itself. */
    HANDOFF("handoff");

    private final String wireName;

    Strategy(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<Strategy> fromWireName(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(name)).findFirst();
    }
}
