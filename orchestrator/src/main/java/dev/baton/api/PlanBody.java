package dev.baton.api;

import io.javalin.http.Context;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/** Reads the plan of a POST: YAML or JSON content type (else 415), at most 256 KiB (else 413). */
final class PlanBody {
    static final int LIMIT = 256 * 1024;
    /** A too-large body is read this far and dropped, so that the client hears the 413 instead of a reset. */
    private static final int DRAIN = 4 * 1024 * 1024;
    private static final Set<String> TYPES = Set.of("application/yaml", "text/yaml", "application/json");

    private PlanBody() {
    }

    /** Any request whose body is over the limit: drained (bounded) so that the client reads the answer. */
    static ApiError tooLarge(Context ctx) {
        try (InputStream in = ctx.req().getInputStream()) {
            in.skipNBytes(Math.min(DRAIN, Math.max(0, ctx.req().getContentLengthLong())));
        } catch (IOException | RuntimeException e) {
            // the connection closes instead
        }
        return new ApiError(413, "the body is larger than " + LIMIT / 1024 + " KiB");
    }

    static String read(Context ctx) {
        String type = ctx.req().getContentType();
        String mime = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!TYPES.contains(mime)) {
            throw new ApiError(415, "a plan is sent as application/yaml, text/yaml or application/json"
                    + (mime.isEmpty() ? " (no Content-Type given)" : ", not " + mime.replaceAll("[^\\x20-\\x7e]", "?")));
        }
        try (InputStream in = ctx.req().getInputStream()) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] buffer = new byte[16 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                if (total <= LIMIT) body.write(buffer, 0, n);
                if (total > DRAIN) break;
            }
            if (total > LIMIT) throw new ApiError(413, "the body is larger than " + LIMIT / 1024 + " KiB");
            return body.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ApiError(400, "cannot read the request body: " + e.getMessage());
        }
    }
}
