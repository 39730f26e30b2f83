package dev.baton.notify;

import okhttp3.HttpUrl;

/**
 * A URL as logs may show it: scheme, host and port only. Credentials and the query go, and so does the path, because
 * chat webhooks (Slack, Teams, Discord, most home-made receivers) carry their secret in it; the webhook's name says which.
 */
final class SafeUrl {
    private SafeUrl() {
    }

    static String of(HttpUrl url) {
        StringBuilder shown = new StringBuilder(url.scheme()).append("://").append(url.host());
        if (url.port() != HttpUrl.defaultPort(url.scheme())) shown.append(':').append(url.port());
        boolean more = !url.encodedPath().equals("/") || url.query() != null;
        return shown.append(more ? "/…" : "/").toString();
    }
}
