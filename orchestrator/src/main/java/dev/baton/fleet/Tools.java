package dev.baton.fleet;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds what the local fleet runs: the repository, the Consul binary built by {@code bin/setup},
 * the agent jar. A missing piece is an error naming the set-up command, never a silent skip.
 */
public final class Tools {
    public static final String SETUP = "bin/setup";
    static final String CONSUL_VERSION = "v1.21.0";

    private Tools() {
    }

    public static Path repo() {
        String env = System.getenv("BATON_REPO");
        if (env != null && Files.isDirectory(Path.of(env, "demo-app"))) return Path.of(env).toAbsolutePath();
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("demo-app/build.sh"))) return dir;
        }
        throw new IllegalStateException("cannot find the Baton repository (no demo-app/build.sh above "
                + Path.of("").toAbsolutePath() + "); set BATON_REPO");
    }

    public static Path cache() {
        String env = System.getenv("BATON_CACHE");
        return env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "baton");
    }

    public static Path consul() {
        String env = System.getenv("BATON_CONSUL");
        Path consul = env != null ? Path.of(env) : cache().resolve("consul-" + CONSUL_VERSION).resolve("consul");
        return require(consul, "the consul binary");
    }

    public static Path haproxy() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin").split(":")) {
            Path candidate = Path.of(dir, "haproxy");
            if (Files.isExecutable(candidate)) return candidate;
        }
        Path sbin = Path.of("/usr/sbin/haproxy");
        return require(sbin, "haproxy (Debian package haproxy)");
    }

    public static Path agentJar() {
        return require(repo().resolve("agent/target/baton-agent.jar"), "the agent jar");
    }

    public static Path batonJar() {
        return require(repo().resolve("orchestrator/target/baton.jar"), "the orchestrator jar");
    }

    static Path require(Path path, String what) {
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(what + " is missing at " + path + ": run " + SETUP + " first");
        }
        return path;
    }
}
