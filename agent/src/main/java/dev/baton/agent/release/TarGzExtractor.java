package dev.baton.agent.release;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Extracts a .tar.gz holding only regular files and directories (ustar, pax and GNU long names, read by Commons
 * Compress). Anything that could write outside the target or surprise the host is refused: absolute names, "..",
 * links of either kind, devices, fifos, negative sizes, more bytes or entries than the caps. The bytes actually
 * written count against the cap, whatever the headers claim. On any failure the target directory is removed.
 */
public final class TarGzExtractor {

    public static final long DEFAULT_MAX_BYTES = 4L << 30;
    public static final int DEFAULT_MAX_ENTRIES = 100_000;
    /** What reading the headers of one entry (pax records, long names included) may consume. */
    static final long MAX_HEADER_BYTES = 1 << 20;

    private final long maxBytes;
    private final int maxEntries;

    public TarGzExtractor() {
        this(DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES);
    }

    public TarGzExtractor(long maxBytes, int maxEntries) {
        this.maxBytes = maxBytes;
        this.maxEntries = maxEntries;
    }

    /**
     * @param targetDir must not exist yet; it is created, and deleted again if the archive is refused
     * @throws IOException with a one-line message naming the offending entry
     */
    public void extract(Path archive, Path targetDir) throws IOException {
        Files.createDirectory(targetDir);
        Path root = targetDir.toRealPath();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive)), 64 * 1024);
             HeaderBudget budget = new HeaderBudget(in);
             TarArchiveInputStream tar = new TarArchiveInputStream(budget)) {
            extractEntries(tar, budget, root);
        } catch (ZipException e) {
            ReleaseStore.deleteTree(targetDir);
            throw new IOException("artifact is not a valid .tar.gz: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            ReleaseStore.deleteTree(targetDir);
            throw e;
        }
    }

    private void extractEntries(TarArchiveInputStream tar, HeaderBudget budget, Path root) throws IOException {
        long written = 0;
        int entries = 0;
        for (TarArchiveEntry entry = next(tar, budget); entry != null; entry = next(tar, budget)) {
            if (++entries > maxEntries) {
                throw new IOException("artifact has more than " + maxEntries + " entries");
            }
            String name = entry.getName();
            Path target = resolveInside(root, name);
            long size = entry.getSize();
            if (size < 0) {
                throw new IOException("artifact entry '" + printable(name) + "' has a negative size");
            }
            if (size > maxBytes - written) {
                throw tooLarge();
            }
            if (entry.isSymbolicLink() || entry.isLink()) {
                throw new IOException("artifact entry '" + printable(name) + "' is a link; links are not allowed");
            }
            if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                throw new IOException("artifact entry '" + printable(name) + "' is a device or fifo; not allowed");
            }
            if (entry.isDirectory()) {
                if (target != null) {
                    createDirectories(root, target, name);
                    setMode(target, entry.getMode(), 0755, 0700);
                }
            } else if (entry.isFile() && !entry.isSparse()) {
                if (target == null) {
                    throw new IOException("artifact entry '" + printable(name) + "' is not a file name");
                }
                createDirectories(root, target.getParent(), name);
                written += writeFile(tar, target, name, maxBytes - written);
                setMode(target, entry.getMode(), 0644, 0600);
            } else {
                throw new IOException("artifact entry '" + printable(name) + "' has an unsupported type");
            }
        }
    }

    private static TarArchiveEntry next(TarArchiveInputStream tar, HeaderBudget budget) throws IOException {
        budget.arm(MAX_HEADER_BYTES);
        try {
            return tar.getNextEntry();
        } catch (IllegalArgumentException e) {
            throw new IOException("artifact is not a valid tar archive: " + e.getMessage(), e);
        } catch (IOException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new IOException("artifact is not a valid tar archive: " + message.replaceAll("\\s+", " "), e);
        } finally {
            budget.disarm();
        }
    }

    /** Returns the absolute target path, null for the archive root itself; throws if the name could escape. */
    static Path resolveInside(Path root, String name) throws IOException {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.indexOf('\0') >= 0) {
            throw escapes(name);
        }
        String trimmed = name;
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        for (String part : trimmed.split("/")) {
            if (part.equals("..")) {
                throw escapes(name);
            }
        }
        Path target = root.resolve(trimmed).normalize();
        if (target.equals(root)) {
            return null;
        }
        if (!target.startsWith(root)) {
            throw escapes(name);
        }
        return target;
    }

    /** Directories are created one by one, refusing anything on the way that is not a plain directory. */
    private static void createDirectories(Path root, Path dir, String name) throws IOException {
        Path current = root;
        for (Path part : root.relativize(dir)) {
            current = current.resolve(part);
            if (Files.isSymbolicLink(current)
                    || Files.exists(current, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("artifact entry '" + printable(name) + "' needs a directory where "
                        + root.relativize(current) + " is not one");
            }
            if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(current);
            }
        }
    }

    /** Writes at most {@code room} bytes, counting what is really written; returns that count. */
    private long writeFile(InputStream in, Path file, String name, long room) throws IOException {
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("artifact entry '" + printable(name) + "' is a file where a directory already is");
        }
        Files.deleteIfExists(file);
        long total = 0;
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = readEntry(in, buffer)) != -1; ) {
                total += n;
                if (total > room) {
                    throw tooLarge();
                }
                out.write(buffer, 0, n);
            }
        } catch (FileAlreadyExistsException e) {
            throw new IOException("artifact entry '" + printable(name) + "' appears twice", e);
        }
        return total;
    }

    private static int readEntry(InputStream in, byte[] buffer) throws IOException {
        try {
            return in.read(buffer);
        } catch (IOException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new IOException("artifact is not a valid tar archive: " + message.replaceAll("\\s+", " "), e);
        }
    }

    private IOException tooLarge() {
        return new IOException("artifact expands to more than " + maxBytes + " bytes");
    }

    private static IOException escapes(String name) {
        return new IOException("artifact entry '" + printable(name) + "' escapes the release directory");
    }

    /** Entry names come from the artifact: short and on one line in messages. */
    private static String printable(String text) {
        String shortened = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        StringBuilder out = new StringBuilder();
        shortened.codePoints().forEach(c -> out.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
        return out.toString();
    }

    /** Keeps the archive's permission bits (not setuid/setgid), but always lets the owner clean up. */
    private static void setMode(Path path, int mode, int fallback, int ownerMinimum) throws IOException {
        int bits = ((mode & 0777) == 0 ? fallback : mode & 0777) | ownerMinimum;
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        for (int bit = 0; bit < order.length; bit++) {
            if ((bits & (1 << bit)) != 0) {
                permissions.add(order[bit]);
            }
        }
        Files.setPosixFilePermissions(path, permissions);
    }
}
