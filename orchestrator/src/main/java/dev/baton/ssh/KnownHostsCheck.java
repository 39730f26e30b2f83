package dev.baton.ssh;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.UserInfo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Host key checking against a known_hosts file, OpenSSH style: a known key must match; a changed key is refused
 * always; an unknown host is refused unless {@code acceptNew}, which records its key in the file (JSch has no
 * accept-new, and its "no" would also accept changed keys). JSch asks {@link #check} and, with
 * StrictHostKeyChecking=yes, fails the connection on anything but OK; {@link #rejection()} then says why in a
 * line an operator can act on. One instance per connection attempt.
 */
final class KnownHostsCheck implements HostKeyRepository {
    /** accept-new appends to the file: one writer at a time within this JVM. */
    private static final Object APPEND_LOCK = new Object();

    private final HostKeyRepository known;
    private final Path file;
    private final boolean acceptNew;
    private volatile String rejection;
    private volatile String accepted;

    KnownHostsCheck(HostKeyRepository known, Path file, boolean acceptNew) {
        this.known = known;
        this.file = file;
        this.acceptNew = acceptNew;
    }

    /** Why the last host key was refused, or null. */
    String rejection() {
        return rejection;
    }

    /** The known_hosts line recorded under accept-new, or null. */
    String accepted() {
        return accepted;
    }

    @Override
    public int check(String host, byte[] key) {
        int verdict = known.check(host, key);
        if (verdict == OK) return OK;
        String type = keyType(host, key);
        String offered = Fingerprints.sha256(key);
        if (verdict == CHANGED) {
            rejection = "ssh " + host + ": HOST KEY CHANGED, refusing to connect (possible man-in-the-middle): "
                    + file + " has " + type + " " + String.join(", ", knownFingerprints(host, type))
                    + " but the host offered " + type + " " + offered
                    + "; if the host was really re-keyed, remove the old key with: ssh-keygen -R '" + host + "' -f " + file;
            return CHANGED;
        }
        if (!acceptNew) {
            rejection = "ssh " + host + ": unknown host key (" + type + " " + offered + ") not in " + file
                    + "; add it (ssh-keyscan" + keyscanArgs(host) + " >> " + file + ") or set ssh.unknownHosts: accept-new";
            return NOT_INCLUDED;
        }
        try {
            append(host, type, key);
        } catch (IOException e) {
            rejection = "ssh " + host + ": cannot record the new host key in " + file + ": " + e.getMessage();
            return NOT_INCLUDED;
        }
        return OK;
    }

    private void append(String host, String type, byte[] key) throws IOException {
        String line = host + " " + type + " " + java.util.Base64.getEncoder().encodeToString(key) + "\n";
        synchronized (APPEND_LOCK) {
            if (!Files.exists(file)) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            String existing = Files.readString(file, StandardCharsets.UTF_8);
            if (existing.lines().anyMatch(l -> l.strip().equals(line.strip()))) return;
            String prefix = existing.isEmpty() || existing.endsWith("\n") ? "" : "\n";
            Files.writeString(file, prefix + line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }
        accepted = line.strip();
    }

    private List<String> knownFingerprints(String host, String type) {
        List<String> out = new ArrayList<>();
        for (HostKey hostKey : known.getHostKey(host, type)) out.add(Fingerprints.sha256(hostKey.getKey()));
        if (out.isEmpty() && host.startsWith("[") && host.indexOf("]:") > 1) {
            for (HostKey hostKey : known.getHostKey(host.substring(1, host.indexOf("]:")), type)) {
                out.add(Fingerprints.sha256(hostKey.getKey()));
            }
        }
        return out.isEmpty() ? List.of("another key") : out;
    }

    private static String keyType(String host, byte[] key) {
        try {
            return new HostKey(host, key).getType();
        } catch (JSchException e) {
            return "unsupported-key-type";
        }
    }

    private static String keyscanArgs(String host) {
        if (host.startsWith("[") && host.indexOf("]:") > 1) {
            return " -p " + host.substring(host.indexOf("]:") + 2) + " " + host.substring(1, host.indexOf("]:"));
        }
        return " " + host;
    }

    @Override
    public void add(HostKey hostkey, UserInfo ui) {
        // never called with StrictHostKeyChecking=yes; accept-new records keys itself in check()
        throw new UnsupportedOperationException("host keys are added only through accept-new");
    }

    @Override
    public void remove(String host, String type) {
        throw new UnsupportedOperationException("Baton never removes known host keys");
    }

    @Override
    public void remove(String host, String type, byte[] key) {
        throw new UnsupportedOperationException("Baton never removes known host keys");
    }

    @Override
    public String getKnownHostsRepositoryID() {
        return file.toString();
    }

    @Override
    public HostKey[] getHostKey() {
        return known.getHostKey();
    }

    @Override
    public HostKey[] getHostKey(String host, String type) {
        return known.getHostKey(host, type);
    }
}
