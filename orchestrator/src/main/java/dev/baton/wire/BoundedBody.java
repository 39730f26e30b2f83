package dev.baton.wire;

import okhttp3.ResponseBody;
import okio.BufferedSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Reads an HTTP response body without ever holding more than a cap: a larger body is an error, not a truncation. */
public final class BoundedBody {
    private BoundedBody() {
    }

    /** The body as UTF-8 text; {@code ""} when there is none. */
    public static String read(ResponseBody body, long cap) throws IOException {
        if (body == null) return "";
        if (body.contentLength() > cap) throw new TooLarge(body.contentLength(), cap);
        BufferedSource source = body.source();
        // request() reads until cap + 1 bytes are buffered or the body ends; the client's timeouts bound each read
        if (source.request(cap + 1)) throw new TooLarge(-1, cap);
        return source.getBuffer().readString(StandardCharsets.UTF_8);
    }

    /** At most the first {@code cap} bytes of the body as UTF-8 text; the rest is never read. */
    public static String prefix(ResponseBody body, long cap) throws IOException {
        if (body == null) return "";
        BufferedSource source = body.source();
        source.request(cap);
        return source.getBuffer().readString(Math.min(cap, source.getBuffer().size()), StandardCharsets.UTF_8);
    }

    /** The body was larger than the cap. */
    public static final class TooLarge extends IOException {
        TooLarge(long announced, long cap) {
            super("response body " + (announced >= 0 ? "of " + announced + " bytes " : "") + "larger than the "
                    + cap + "-byte limit");
        }
    }
}
