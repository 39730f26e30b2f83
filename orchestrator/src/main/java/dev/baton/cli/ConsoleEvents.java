package dev.baton.cli;

import dev.baton.plan.Durations;
import dev.baton.rollout.Event;
import dev.baton.rollout.EventSink;

import java.io.PrintStream;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Prints each event as one aligned line while the rollout runs; control characters are shown escaped. */
final class ConsoleEvents implements EventSink {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private final PrintStream out;
    private final TrafficLines traffic = new TrafficLines();

    ConsoleEvents(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void emit(Event e) {
        for (Event line : traffic.lines(e)) out.println(format(line));
        out.flush();
    }

    static String format(Event e) {
        String took = e.took() == null ? "" : Durations.format(e.took());
        String outcome = switch (e.outcome()) {
            case STARTED -> "...";
            case OK -> "ok";
            case SKIPPED -> "skip";
            case FAILED -> "FAILED";
        };
        return String.format("%s  %-12s %-9s %-6s %7s  %s", TIME.format(e.at()), e.host() == null ? "*" : Printable.escape(e.host()),
                e.step(), outcome, took, Printable.escape(e.detail())).stripTrailing();
    }
}
