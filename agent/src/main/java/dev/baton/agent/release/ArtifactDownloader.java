package dev.baton.agent.release;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Downloads an artifact (http, https or file URL) to a local file, hashing it while streaming.
 * Every failure is an {@link ArtifactException} whose message is one line fit for an operation's error.
 */
public final class ArtifactDownloader {

    private static final long MAX_BYTES = 2L << 30;

    private final Duration connectTimeout;
    private final Duration readTimeout;

    public ArtifactDownloader(Duration connectTimeout, Duration readTimeout) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    public void download(URI url, String expectedSha256, Path target) throws ArtifactException {
        String actual;
        try {
            actual = copy(url, target);
        } catch (IOException e) {
            throw new ArtifactException(ArtifactException.Kind.DOWNLOAD,
                    "download of " + url + " failed: " + describe(e), e);
        }
        if (!actual.equalsIgnoreCase(expectedSha256)) {
            throw new ArtifactException(ArtifactException.Kind.CHECKSUM, "sha256 mismatch for " + url + ": expected "
                    + expectedSha256.toLowerCase(Locale.ROOT) + ", got " + actual, null);
        }
    }

    private String copy(URI url, Path target) throws IOException {
        URLConnection connection = url.toURL().openConnection();
        connection.setConnectTimeout((int) connectTimeout.toMillis());
        // A read timeout bounds every read, so a stalled server cannot hang the operation.
        connection.setReadTimeout((int) readTimeout.toMillis());
        connection.setUseCaches(false);
        if (connection instanceof HttpURLConnection http) {
            int status = http.getResponseCode();
            if (status != 200) {
                http.disconnect();
                throw new IOException("HTTP " + status);
            }
        }
        MessageDigest sha256 = sha256();
        try (InputStream in = connection.getInputStream(); OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buffer)) != -1; ) {
                total += n;
                if (total > MAX_BYTES) {
                    throw new IOException("artifact larger than " + MAX_BYTES + " bytes");
                }
                sha256.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        String text = message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
        return text.replaceAll("\\s+", " ").trim();
    }
}
