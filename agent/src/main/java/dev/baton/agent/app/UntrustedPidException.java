package dev.baton.agent.app;

import java.io.IOException;

/** The pidfile names a process that is not the app this agent started: it is never signalled. */
public final class UntrustedPidException extends IOException {

    UntrustedPidException(String message) {
        super(message);
    }
}
