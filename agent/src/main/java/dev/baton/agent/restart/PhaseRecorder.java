package dev.baton.agent.restart;

import dev.baton.agent.release.ArtifactException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one phase of an operation and records its start, outcome, duration and detail. */
final class PhaseRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(PhaseRecorder.class);

    @FunctionalInterface
    interface PhaseBody {
        PhaseResult run() throws IOException, PhaseFailure, InterruptedException;
    }

    private final Operation operation;

    PhaseRecorder(Operation operation) {
        this.operation = operation;
    }

    /** Any failure is recorded on the phase and rethrown, an {@link IOException} as a {@link PhaseFailure}. */
    void run(String name, PhaseBody body) throws PhaseFailure, InterruptedException {
        Operation.Phase phase = operation.beginPhase(name);
        PhaseResult result;
        try {
            result = body.run();
        } catch (PhaseFailure e) {
            phase.finish(State.FAILED, e.getMessage());
            throw e;
        } catch (IOException e) {
            String message = oneLine(e);
            phase.finish(State.FAILED, message);
            throw new PhaseFailure(message);
        } catch (InterruptedException e) {
            phase.finish(State.FAILED, "interrupted");
            throw e;
        } catch (RuntimeException e) {
            phase.finish(State.FAILED, "internal error: " + oneLine(e));
            throw e;
        }
        phase.finish(result.state(), result.detail());
        LOG.info("{}: {} {}: {}", operation.id(), name, result.state(), result.detail());
    }

    /** Our own IOExceptions carry a complete message; for JDK ones the type says what a bare path means. */
    static String oneLine(Exception e) {
        String message = e.getMessage() == null ? "" : e.getMessage().replaceAll("\\s+", " ").trim();
        if ((e.getClass() == IOException.class || e instanceof ArtifactException
                || e instanceof dev.baton.agent.app.UntrustedPidException
                || e instanceof dev.baton.agent.app.ControlCommand.TimedOut) && !message.isEmpty()) {
            return message;
        }
        return message.isEmpty() ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + message;
    }
}
