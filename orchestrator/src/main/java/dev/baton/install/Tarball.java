package dev.baton.install;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/** The distribution tarball on this machine: its version (from its name), its sha256, one file read from inside it. */
record Tarball(Path file, String version, String sha256, long size) {
    private static final Pattern NAME = Pattern.compile("baton-([A-Za-z0-9][A-Za-z0-9._+-]*)\\.tar\\.gz");
    private static final int BLOCK = 512;
    private static final long MAX_ENTRY = 1024 * 1024;

    static Tarball of(Path file) throws IOException {
        String version = versionOf(file);
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--dist " + file + ": no such file");
        return new Tarball(file, version, sha256(file), Files.size(file));
    }

    static String versionOf(Path file) {
        Matcher name = NAME.matcher(file.getFileName().toString());
        if (!name.matches()) {
            throw new IllegalArgumentException("--dist " + file + ": expected a file named baton-<version>.tar.gz (bin/package)");
        }
        return name.group(1);
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** The top directory every file of the tarball is in. */
    String top() {
        return "baton-" + version;
    }

    /** The regular file {@code top()/path} (ustar headers, as bin/package writes them). */
    byte[] read(String path) throws IOException {
        String wanted = top() + "/" + path;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 64 * 1024)) {
            byte[] header = new byte[BLOCK];
            while (in.readNBytes(header, 0, BLOCK) == BLOCK && header[0] != 0) {
                String prefix = field(header, 345, 155);
                String name = prefix.isEmpty() ? field(header, 0, 100) : prefix + "/" + field(header, 0, 100);
                long size = Long.parseLong(field(header, 124, 12).strip().isEmpty() ? "0" : field(header, 124, 12).strip(), 8);
                long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
                if (name.equals(wanted) && (header[156] == '0' || header[156] == 0)) {
                    if (size > MAX_ENTRY) throw new IOException(wanted + " in " + file + " is larger than expected");
                    return in.readNBytes((int) size);
                }
                in.skipNBytes(padded);
            }
        } catch (java.io.EOFException | NumberFormatException e) {
            throw new IOException(file + " is not a tar.gz file bin/package wrote: " + e.getMessage());
        }
        throw new IOException(file + " holds no " + wanted + ": is it a Baton distribution?");
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) end++;
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }
}
