package dev.baton.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;

/** The Baton agents' token of this process: {@code --agent-token-file}, else {@code $BATON_AGENT_TOKEN}; never a plan's choice. */
final class AgentToken {
    static final String ENV = "BATON_AGENT_TOKEN";

    private AgentToken() {
    }

    /** The token, or null when neither is given. */
    static String read(Path file) {
        return read(file, "--agent-token-file");
    }

    /** As {@link #read(Path)}, for a command whose token-file option is called {@code option}. */
    static String read(Path file, String option) {
        if (file == null) {
            String token = System.getenv(ENV);
            return token == null || token.isBlank() ? null : token.strip();
        }
        String token;
        try {
            token = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new BatonMain.UserError(option + " " + file + ": cannot read it: " + e.getMessage());
        }
        if (token.isEmpty() || token.chars().anyMatch(Character::isWhitespace)) {
            throw new BatonMain.UserError(option + " " + file + ": expected one token (no spaces)");
        }
        try {
            if (Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)) {
                System.err.println("baton: warning: " + file + " is readable by every user of this machine: chmod 600 it");
            }
        } catch (IOException | UnsupportedOperationException notPosix) {
            // nothing to check
        }
        return token;
    }
}
