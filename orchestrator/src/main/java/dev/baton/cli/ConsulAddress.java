package dev.baton.cli;

import okhttp3.HttpUrl;

/** A Consul HTTP address as users write it (with or without scheme). */
final class ConsulAddress {
    static final String DEFAULT = "http://127.0.0.1:8500";

    private ConsulAddress() {
    }

    static HttpUrl parse(String raw) {
        String withScheme = raw.contains("://") ? raw : "http://" + raw;
        HttpUrl url = HttpUrl.parse(withScheme);
        if (url == null) throw new BatonMain.UserError("not a Consul address: " + raw);
        return url;
    }

    /** The flag, else $CONSUL_HTTP_ADDR, else the local agent. */
    static HttpUrl resolve(String flag) {
        String env = System.getenv("CONSUL_HTTP_ADDR");
        return parse(flag != null ? flag : env != null && !env.isBlank() ? env : DEFAULT);
    }
}
