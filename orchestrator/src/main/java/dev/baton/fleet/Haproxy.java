package dev.baton.fleet;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The HAProxy configuration of the local fleet: backends filled from Consul DNS SRV records
 * ({@code server-template} + {@code resolvers}), re-resolved every 100 ms (an answer removes a server at once; Consul
 * being unreachable keeps the last known servers for a minute), a runtime API socket for
 * Baton's load-balancer propagation check. No retries to another server: a request sent to a dying
 * backend fails, as it would in most real set-ups, which is what the benchmark must be able to see.
 */
final class Haproxy {
    static final int PORT = 8000;
    /** The runtime API on TCP as well, for tools without a UNIX-socket client (bench/minimal-rollout.sh). */
    static final int RUNTIME_PORT = 8001;
    static final String BACKEND = "app";

    private Haproxy() {
    }

    static Path writeConfig(Path dir, String bindIp, String consulDns, String service, int slots) throws java.io.IOException {
        String config = """
                global
                    maxconn 8000
                    stats socket %1$s mode 600 level admin
                    stats socket ipv4@%3$s:%8$d level admin
                    hard-stop-after 5s
                    log stdout format raw local0 info

                defaults
                    mode http
                    timeout connect 1s
                    timeout client 30s
                    timeout server 30s
                    timeout http-keep-alive 10s
                    retries 0
                    option http-keep-alive
                    default-server init-addr none
                    log global
                    # one line per request on stdout (haproxy.log): when it ended (epoch ms), the server's address, the status
                    log-format "%%[date(0,ms)] %%si:%%sp %%ST"

                resolvers consul
                    nameserver consul %2$s:8600
                    accepted_payload_size 65535
                    resolve_retries 3
                    timeout resolve 100ms
                    timeout retry 100ms
                    hold valid 100ms
                    hold obsolete 0s
                    hold nx 100ms
                    hold other 60s
                    hold refused 60s
                    hold timeout 60s

                frontend web
                    bind %3$s:%4$d
                    default_backend %5$s

                backend %5$s
                    balance roundrobin
                    option httpchk GET /healthz
                    server-template %6$s %7$d _%6$s._tcp.service.consul resolvers consul resolve-prefer ipv4 check inter 500ms fall 1 rise 1
                """.formatted(dir.resolve("haproxy.sock"), consulDns, bindIp, PORT, BACKEND, service, slots, RUNTIME_PORT);
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, config);
        return file;
    }
}
