package dev.baton.agent.release;

import java.io.IOException;

/** An artifact that could not be downloaded or is not the one asked for; the message is one complete line. */
public final class ArtifactException extends IOException {

    public enum Kind {
        /** The server could not be reached, answered an error, or the transfer broke off. */
        DOWNLOAD,
        /** The bytes arrived but their sha256 is not the expected one. */
        CHECKSUM
    }

    private final Kind kind;

    ArtifactException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
