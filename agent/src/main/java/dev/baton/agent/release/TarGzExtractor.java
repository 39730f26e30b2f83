package dev.baton.agent.release;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Extracts a .tar.gz holding only regular files and directories (ustar, with pax and GNU long names).
 * Anything that could write outside the target (absolute paths, "..", links, devices) is refused.
 */
public final class TarGzExtractor {

    private static final int BLOCK = 512;
    private static final long MAX_TOTAL_BYTES = 4L << 30;
    private static final int MAX_ENTRIES = 100_000;

    public void extract(Path archive, Path targetDir) throws IOException {
        Files.createDirectories(targetDir);
        Path root = targetDir.toAbsolutePath().normalize();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive)), 64 * 1024)) {
            extractEntries(in, root);
        } catch (java.util.zip.ZipException e) {
            throw new IOException("artifact is not a valid .tar.gz: " + e.getMessage(), e);
        } catch (EOFException e) {
            throw new IOException("artifact is truncated", e);
        }
    }

    private void extractEntries(InputStream in, Path root) throws IOException {
        String overrideName = null;
        long totalBytes = 0;
        int entries = 0;
        while (true) {
            byte[] header = in.readNBytes(BLOCK);
            if (header.length == 0 || isZero(header)) {
                return;
            }
            if (header.length < BLOCK) {
                throw new EOFException();
            }
            if (++entries > MAX_ENTRIES) {
                throw new IOException("artifact has more than " + MAX_ENTRIES + " entries");
            }
            verifyChecksum(header);
            String name = overrideName != null ? overrideName : headerName(header);
            overrideName = null;
            long size = parseNumber(header, 124, 12);
            int mode = (int) parseNumber(header, 100, 8);
            char type = (char) header[156];
            switch (type) {
                case 'x' -> overrideName = paxPath(readBytes(in, size));
                case 'L' -> overrideName = cString(readBytes(in, size), 0, (int) size);
                case 'g' -> skip(in, size);
                case '5' -> {
                    Path dir = resolveInside(root, name);
                    if (dir != null) {
                        Files.createDirectories(dir);
                        setMode(dir, mode, 0755, 0700);
                    }
                    skip(in, size);
                }
                case '0', '\0', '7' -> {
                    totalBytes += size;
                    if (totalBytes > MAX_TOTAL_BYTES) {
                        throw new IOException("artifact expands to more than " + MAX_TOTAL_BYTES + " bytes");
                    }
                    Path file = resolveInside(root, name);
                    if (file == null) {
                        throw new IOException("artifact entry '" + name + "' is not a file name");
                    }
                    Files.createDirectories(file.getParent());
                    writeFile(in, size, file);
                    setMode(file, mode, 0644, 0600);
                }
                case '1', '2' -> throw new IOException("artifact entry '" + name + "' is a link; links are not allowed");
                default -> throw new IOException("artifact entry '" + name + "' has unsupported type '" + type + "'");
            }
        }
    }

    /** Returns the absolute target path, null for the archive root itself; throws if the name could escape. */
    static Path resolveInside(Path root, String name) throws IOException {
        String trimmed = name;
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        if (name.startsWith("/") || name.contains("\\") || name.indexOf('\0') >= 0) {
            throw new IOException("artifact entry '" + name + "' escapes the release directory");
        }
        for (String part : trimmed.split("/")) {
            if (part.equals("..")) {
                throw new IOException("artifact entry '" + name + "' escapes the release directory");
            }
        }
        Path target = root.resolve(trimmed).normalize();
        if (target.equals(root)) {
            return null;
        }
        if (!target.startsWith(root)) {
            throw new IOException("artifact entry '" + name + "' escapes the release directory");
        }
        return target;
    }

    private static void writeFile(InputStream in, long size, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            byte[] buffer = new byte[64 * 1024];
            long left = size;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new EOFException();
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        }
        skipPadding(in, size);
    }

    private static byte[] readBytes(InputStream in, long size) throws IOException {
        if (size > 1 << 20) {
            throw new IOException("artifact has an oversized extended header");
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) {
            throw new EOFException();
        }
        skipPadding(in, size);
        return data;
    }

    private static void skip(InputStream in, long size) throws IOException {
        long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
        in.skipNBytes(padded);
    }

    private static void skipPadding(InputStream in, long size) throws IOException {
        long remainder = size % BLOCK;
        if (remainder != 0) {
            in.skipNBytes(BLOCK - remainder);
        }
    }

    /** Pax records look like "LEN key=value\n"; only "path" matters here. */
    private static String paxPath(byte[] data) {
        String path = null;
        int pos = 0;
        while (pos < data.length) {
            int space = indexOf(data, (byte) ' ', pos);
            if (space < 0) {
                break;
            }
            int length = Integer.parseInt(new String(data, pos, space - pos, StandardCharsets.US_ASCII).trim());
            if (length <= 0 || pos + length > data.length) {
                break;
            }
            String record = new String(data, space + 1, pos + length - space - 2, StandardCharsets.UTF_8);
            if (record.startsWith("path=")) {
                path = record.substring("path=".length());
            }
            pos += length;
        }
        return path;
    }

    private static String headerName(byte[] header) {
        String name = cString(header, 0, 100);
        boolean ustar = new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar ? cString(header, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static void verifyChecksum(byte[] header) throws IOException {
        long expected = parseNumber(header, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xff);
        }
        if (sum != expected) {
            throw new IOException("artifact is not a tar archive (bad header checksum)");
        }
    }

    /** Octal text, or GNU base-256 when the high bit of the first byte is set. */
    private static long parseNumber(byte[] header, int offset, int length) throws IOException {
        if ((header[offset] & 0x80) != 0) {
            long value = header[offset] & 0x7f;
            for (int i = 1; i < length; i++) {
                value = (value << 8) | (header[offset + i] & 0xff);
            }
            return value;
        }
        String text = cString(header, offset, length).trim();
        if (text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(text, 8);
        } catch (NumberFormatException e) {
            throw new IOException("artifact is not a tar archive (bad number '" + text + "')");
        }
    }

    private static String cString(byte[] data, int offset, int length) {
        int end = offset;
        while (end < offset + length && data[end] != 0) {
            end++;
        }
        return new String(data, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] data, byte value, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
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
