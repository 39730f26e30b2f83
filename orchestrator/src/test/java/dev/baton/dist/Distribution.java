package dev.baton.dist;

import dev.baton.fleet.Tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The distribution as a user gets it: {@code bin/package} run once per test JVM into a scratch directory, and its
 * tarball unpacked next to it. Every dist test reads this one tree.
 */
public final class Distribution {
    private static Distribution built;

    public final Path repo;
    public final String version;
    public final Path tarball;
    /** The unpacked {@code baton-<version>/} directory. */
    public final Path root;

    private Distribution(Path repo, String version, Path tarball, Path root) {
        this.repo = repo;
        this.version = version;
        this.tarball = tarball;
        this.root = root;
    }

    public static synchronized Distribution get() throws IOException, InterruptedException {
        if (built != null) return built;
        Path repo = Tools.repo();
        Path scratch = Files.createTempDirectory("baton-dist");
        // ~30 MB per run (tarball + unpacked tree): removed when the test JVM ends.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(scratch), "baton-dist-cleanup"));
        Path out = scratch.resolve("out");
        // --no-build: the jars come from bin/setup (or mvn package) before the tests, as for every fleet test.
        Run pack = Run.of(repo, java.util.Map.of(), 600, "bin/package", "--no-build", "--out", out.toString());
        if (pack.exit() != 0) throw new AssertionError("bin/package failed: " + pack.describe());
        String version = projectVersion(repo);
        Path tarball = Path.of(pack.stdout().strip());
        if (!tarball.equals(out.resolve("baton-" + version + ".tar.gz"))) {
            throw new AssertionError("bin/package printed " + tarball + ", expected " + out.resolve("baton-" + version + ".tar.gz"));
        }
        Path unpacked = Files.createDirectories(scratch.resolve("unpacked"));
        Run tar = Run.of(unpacked, "tar", "-xzf", tarball.toString());
        if (tar.exit() != 0) throw new AssertionError("cannot unpack " + tarball + ": " + tar.describe());
        built = new Distribution(repo, version, tarball, unpacked.resolve("baton-" + version));
        return built;
    }

    private static void deleteTree(Path root) {
        try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // best effort: a leftover scratch directory in /tmp is harmless
        }
    }

    /** The Maven project's version: the first {@code <version>} of the parent pom, which has no parent itself. */
    static String projectVersion(Path repo) throws IOException {
        String pom = Files.readString(repo.resolve("pom.xml"));
        if (pom.contains("<parent>")) throw new AssertionError("the root pom.xml has a <parent>: read its version differently");
        Matcher version = Pattern.compile("<version>([^<]+)</version>").matcher(pom);
        if (!version.find()) throw new AssertionError("no <version> in the root pom.xml");
        return version.group(1).strip();
    }
}
