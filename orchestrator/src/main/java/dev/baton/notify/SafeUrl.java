package dev.baton.notify;

import okhttp3.HttpUrl;

/**
 * A URL as logs may show it: scheme, host, port and the first path segment only. Credentials and the query go, and so
 * does the rest of the path, because chat webhooks (Slack, Teams) carry their secret in it.
 */
final class SafeUrl {
    private SafeUrl() {
    }

    static String of(HttpUrl url) {
        StringBuilder shown = new StringBuilder(url.scheme()).append("://").append(url.host());
        if (url.port() != HttpUrl.defaultPort(url.scheme())) shown.append(':').append(url.port());
        var segments = url.pathSegments();
        if (!segments.isEmpty() && !segments.get(0).isEmpty()) {
            shown.append('/').append(segments.get(0));
            if (segments.size() > 1) shown.append("/…");
        }
        if (url.query() != null) shown.append("?…");
        return shown.toString();
    }
}
