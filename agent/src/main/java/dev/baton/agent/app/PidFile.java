package dev.baton.agent.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** The pidfile the app writes once it is ready (and its hot-restart successor rewrites). */
public final class PidFile {

    private final Path path;

    public PidFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /** The pid in the file; empty if the file is missing, unreadable or half-written. */
    public OptionalLong read() {
        try {
            String text = Files.readString(path, StandardCharsets.US_ASCII).trim();
            long pid = Long.parseLong(text);
            return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The pid in the file if that process is alive. */
    public OptionalLong readLive() {
        OptionalLong pid = read();
        return pid.isPresent() && Pids.isAlive(pid.getAsLong()) ? pid : OptionalLong.empty();
    }

    public void delete() throws IOException {
        Files.deleteIfExists(path);
    }
}
