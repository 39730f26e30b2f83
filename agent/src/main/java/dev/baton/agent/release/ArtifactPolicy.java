package dev.baton.agent.release;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where artifacts may come from: http and https always; {@code file:} only below a directory the agent's
 * configuration names. Redirects stay on the artifact URL's host unless the configuration allows any host.
 */
public record ArtifactPolicy(Path fileDir, boolean crossHostRedirects, long maxBytes) {

    public static final long DEFAULT_MAX_BYTES = 2L << 30;

    public ArtifactPolicy {
        fileDir = fileDir == null ? null : fileDir.toAbsolutePath().normalize();
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("the artifact size cap must be positive");
        }
    }

    public static ArtifactPolicy defaults() {
        return new ArtifactPolicy(null, false, DEFAULT_MAX_BYTES);
    }

    /**
     * Parses and checks an artifact URL as a request names it; throws {@link IllegalArgumentException} with a
     * one-line reason that reveals nothing about the file system.
     */
    public URI check(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("artifact.url is required");
        }
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("artifact.url is not a valid URL");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "http", "https" -> {
                if (url.getHost() == null || url.getHost().isEmpty()) {
                    throw new IllegalArgumentException("artifact.url has no host");
                }
            }
            case "file" -> localFile(url);
            default -> throw new IllegalArgumentException("artifact.url must use http or https"
                    + (fileDir == null ? "" : " (or file: below the agent's --artifact-dir)"));
        }
        return url;
    }

    /** The path a {@code file:} URL names, if it lies lexically below the allowed directory. */
    Path localFile(URI url) {
        if (fileDir == null) {
            throw new IllegalArgumentException(
                    "artifact.url: file: URLs are not allowed on this agent (it has no --artifact-dir)");
        }
        Path path;
        try {
            if (url.getRawAuthority() != null || url.getRawQuery() != null || url.getRawFragment() != null
                    || url.getPath() == null || url.getPath().indexOf('\0') >= 0) {
                throw new IllegalArgumentException();
            }
            path = Path.of(url.getPath()).normalize();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("artifact.url is not a valid file: URL");
        }
        if (!path.isAbsolute() || !path.startsWith(fileDir) || path.equals(fileDir)) {
            throw new IllegalArgumentException("artifact.url names a file outside the agent's --artifact-dir");
        }
        return path;
    }

    /** The real path of a {@code file:} artifact, refusing symlinks that lead out of the allowed directory. */
    Path realLocalFile(URI url) throws IOException {
        Path path = localFile(url);
        Path real = path.toRealPath();
        if (!real.startsWith(fileDir.toRealPath())) {
            throw new IOException("artifact.url names a file outside the agent's --artifact-dir");
        }
        return real;
    }

    /** Why a redirect from {@code from} to {@code to} may not be followed, or null if it may. */
    String refusesRedirect(URI from, URI to) {
        String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "only http and https are allowed";
        }
        if ("https".equalsIgnoreCase(from.getScheme()) && scheme.equals("http")) {
            return "https may not redirect to http";
        }
        if (!crossHostRedirects && (from.getHost() == null || !from.getHost().equalsIgnoreCase(to.getHost()))) {
            return "only the same host is allowed";
        }
        return null;
    }

    /** A URL for messages: without user info, query or fragment, which may carry credentials or signatures. */
    public static String redact(URI url) {
        if (url.getScheme() == null || url.getHost() == null) {
            return url.getScheme() == null ? "(url)" : url.getScheme() + ":" + url.getPath();
        }
        String port = url.getPort() == -1 ? "" : ":" + url.getPort();
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        return url.getScheme() + "://" + url.getHost() + port + path;
    }
}
