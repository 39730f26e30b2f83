package dev.baton.server;

import dev.baton.api.BatonServer;
import dev.baton.api.Role;
import dev.baton.api.ServerConfig;
import dev.baton.api.Tokens;
import dev.baton.fleet.LocalFleet;
import dev.baton.hooks.DeployHooks;
import okhttp3.HttpUrl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

/** Test support: API tokens, and Baton servers in this JVM on a local fleet's Consul. */
public final class ServerHarness {
    public final String viewer = token("viewer");
    public final String deployer = token("deployer");
    public final String admin = token("admin");
    private final LocalFleet fleet;

    public ServerHarness(LocalFleet fleet) {
        this.fleet = fleet;
    }

    public Tokens tokens() {
        return new Tokens(Map.of(viewer, Role.VIEWER, deployer, Role.DEPLOYER, admin, Role.ADMIN),
                Map.of(viewer, "ana-viewer", deployer, "ci-deployer", admin, "ops-admin"));
    }

    /** A server on a free loopback port, with the fleet's agent token in its environment. */
    public BatonServer start() {
        return BatonServer.start(config());
    }

    public ServerConfig config() {
        return new ServerConfig("127.0.0.1", 0, HttpUrl.get(fleet.consulAddress()), null, tokens(), fleet.agentToken(),
                DeployHooks.none(), null, false, LocalFleet.AGENT_PORT, Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofSeconds(15), null);
    }

    /** The tokens as a file in the server's format, mode 600. */
    public Path tokensFile(Path dir) throws java.io.IOException {
        Path file = dir.resolve("tokens");
        Files.writeString(file, "# role token\nviewer " + viewer + "\ndeployer " + deployer + "\nadmin " + admin + "\n");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** The fleet's plan text with a slower propagation (each host stays out {@code minWait}). */
    public String plan(String version, Duration minWait) throws Exception {
        String text = Files.readString(fleet.writePlan(version, null));
        if (minWait == null) return text;
        String slower = text.replaceFirst("(propagation: \\{[^}\n]*?)\\s*}", "$1, minWait: " + minWait.toMillis() + "ms }");
        if (slower.equals(text)) throw new AssertionError("no propagation: { ... } line to add minWait to in:\n" + text);
        return slower;
    }

    private static String token(String role) {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return role + "-" + HexFormat.of().formatHex(bytes);
    }
}
