package dev.baton.agent.release;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Downloads an artifact to a local file, hashing it while streaming, within the {@link ArtifactPolicy}.
 * Every failure is an {@link ArtifactException} whose message is one line fit for an operation's error; it never
 * carries the hash or any content of what was fetched, which may be a file the caller should not learn about.
 */
public final class ArtifactDownloader {

    static final int MAX_REDIRECTS = 5;
    /** Read timeouts bound each read; this bounds a server that keeps sending a trickle. */
    static final Duration MAX_DURATION = Duration.ofMinutes(30);

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration maxDuration;
    private final ArtifactPolicy policy;

    public ArtifactDownloader(Duration connectTimeout, Duration readTimeout, ArtifactPolicy policy) {
        this(connectTimeout, readTimeout, MAX_DURATION, policy);
    }

    ArtifactDownloader(Duration connectTimeout, Duration readTimeout, Duration maxDuration, ArtifactPolicy policy) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.maxDuration = maxDuration;
        this.policy = policy;
    }

    public ArtifactPolicy policy() {
        return policy;
    }

    public void download(URI url, String expectedSha256, Path target) throws ArtifactException {
        String shown = ArtifactPolicy.redact(url);
        String actual;
        try {
            actual = "file".equalsIgnoreCase(url.getScheme()) ? copyFile(url, target) : copyHttp(url, target);
        } catch (IllegalArgumentException e) {
            throw new ArtifactException(ArtifactException.Kind.DOWNLOAD, e.getMessage(), null);
        } catch (IOException e) {
            throw new ArtifactException(ArtifactException.Kind.DOWNLOAD,
                    "download of " + shown + " failed: " + describe(e), e);
        }
        if (!MessageDigest.isEqual(actual.getBytes(), expectedSha256.toLowerCase(java.util.Locale.ROOT).getBytes())) {
            throw new ArtifactException(ArtifactException.Kind.CHECKSUM, "sha256 mismatch for " + shown, null);
        }
    }

    private String copyFile(URI url, Path target) throws IOException {
        Path source = policy.realLocalFile(url);
        if (!Files.isRegularFile(source)) {
            throw new IOException("not a regular file");
        }
        try (InputStream in = Files.newInputStream(source)) {
            return copy(in, target);
        }
    }

    private String copyHttp(URI url, Path target) throws IOException {
        URI current = url;
        for (int redirects = 0; redirects <= MAX_REDIRECTS; redirects++) {
            HttpURLConnection http = (HttpURLConnection) current.toURL().openConnection();
            http.setConnectTimeout((int) connectTimeout.toMillis());
            // A read timeout bounds every read, so a stalled server cannot hang the operation.
            http.setReadTimeout((int) readTimeout.toMillis());
            http.setUseCaches(false);
            http.setInstanceFollowRedirects(false);
            try {
                int status = http.getResponseCode();
                if (status >= 300 && status < 400 && status != 304) {
                    current = redirectTarget(current, http.getHeaderField("Location"));
                    continue;
                }
                if (status != 200) {
                    throw new IOException("HTTP " + status);
                }
                long length = http.getContentLengthLong();
                if (length > policy.maxBytes()) {
                    throw tooLarge();
                }
                try (InputStream in = http.getInputStream()) {
                    return copy(in, target);
                }
            } finally {
                http.disconnect();
            }
        }
        throw new IOException("more than " + MAX_REDIRECTS + " redirects");
    }

    private URI redirectTarget(URI from, String location) throws IOException {
        if (location == null || location.isBlank()) {
            throw new IOException("redirect without a Location");
        }
        URI to;
        try {
            to = from.resolve(new URI(location.strip()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IOException("redirect to an invalid URL");
        }
        String refusal = policy.refusesRedirect(from, to);
        if (refusal != null) {
            throw new IOException("redirect to " + ArtifactPolicy.redact(to) + " refused: " + refusal);
        }
        return to;
    }

    private String copy(InputStream in, Path target) throws IOException {
        MessageDigest sha256 = sha256();
        long deadline = System.nanoTime() + maxDuration.toNanos();
        try (OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buffer)) != -1; ) {
                total += n;
                if (total > policy.maxBytes()) {
                    throw tooLarge();
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("took longer than " + maxDuration.toSeconds() + "s");
                }
                sha256.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private IOException tooLarge() {
        return new IOException("artifact larger than " + policy.maxBytes() + " bytes");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** JDK messages of local file errors name the path; only their kind is said here. */
    private static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.io.FileNotFoundException) {
            return "not found";
        }
        String message = e.getMessage();
        String text = message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
        return text.replaceAll("\\s+", " ").trim();
    }
}
