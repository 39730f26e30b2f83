package dev.baton.ssh;

import dev.baton.rollout.StepFailure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** The checks OpenSSH makes before using a private key: it exists, and nobody but its owner can read it. */
final class PrivateKeyFile {
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private PrivateKeyFile() {
    }

    static void check(Path key) throws StepFailure {
        if (!Files.isRegularFile(key) || !Files.isReadable(key)) {
            throw new StepFailure("ssh: cannot read the private key ssh.identityFile " + key);
        }
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(key);
        } catch (UnsupportedOperationException | IOException e) {
            return; // not a POSIX file system: nothing to check
        }
        if (permissions.stream().anyMatch(OTHERS::contains)) {
            throw new StepFailure("ssh: the private key " + key + " is accessible by others ("
                    + java.nio.file.attribute.PosixFilePermissions.toString(permissions) + "): chmod 600 " + key);
        }
    }
}
