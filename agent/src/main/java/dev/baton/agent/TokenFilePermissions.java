package dev.baton.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The token file must be the agent user's alone (owner read/write at most): then hooks run as another user, and
 * any other local user, cannot read it.
 */
final class TokenFilePermissions {

    private static final Set<PosixFilePermission> OWNER_ONLY =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private TokenFilePermissions() {
    }

    static void check(Path file) throws UsageException, NoSuchFileException {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new UsageException("cannot read token file " + file + ": " + e.getMessage());
        }
        if (!attributes.isRegularFile()) {
            throw new UsageException("token file " + file + " must be a regular file, not a link or directory");
        }
        if (!OWNER_ONLY.containsAll(attributes.permissions())) {
            throw new UsageException("token file " + file + " must be readable by its owner only (chmod 600), it is "
                    + PosixFilePermissions.toString(attributes.permissions()));
        }
        String owner = attributes.owner().getName();
        String agentUser = System.getProperty("user.name");
        if (!owner.equals(agentUser)) {
            throw new UsageException("token file " + file + " must be owned by the agent's user " + agentUser
                    + ", not " + owner);
        }
    }
}
