package dev.baton.agent;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Builds demo-app release artifacts with {@code demo-app/build.sh}; fails (never skips) without the Go toolchain. */
final class DemoAppArtifacts {

    record Artifact(String version, Path file, String sha256) {
    }

    private final Path repo;
    private final Path outDir;

    private DemoAppArtifacts(Path repo, Path outDir) {
        this.repo = repo;
        this.outDir = outDir;
    }

    static DemoAppArtifacts in(Path outDir) {
        Path repo = findRepo();
        Path buildScript = repo.resolve("demo-app/build.sh");
        if (!Files.isRegularFile(buildScript)) {
            fail("demo-app/build.sh is missing under " + repo + "; run bin/setup");
        }
        if (!onPath("go")) {
            fail("the Go toolchain ('go') is not on PATH; it is needed to build the demo app; run bin/setup");
        }
        return new DemoAppArtifacts(repo, outDir);
    }

    Artifact build(String version) throws IOException, InterruptedException {
        return build(version, false);
    }

    /** A broken build serves requests but its /healthz always answers 503. */
    Artifact build(String version, boolean broken) throws IOException, InterruptedException {
        Path log = outDir.resolve("build-" + version + ".log");
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                "bash", repo.resolve("demo-app/build.sh").toString(), version, outDir.toString()));
        if (broken) {
            command.add("broken");
        }
        Process build = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!build.waitFor(5, TimeUnit.MINUTES)) {
            build.destroyForcibly();
            fail("demo-app/build.sh " + version + " did not finish within 5 minutes");
        }
        if (build.exitValue() != 0) {
            fail("demo-app/build.sh " + version + " failed:\n" + Files.readString(log));
        }
        Path file = outDir.resolve("demo-app-" + version + ".tar.gz");
        String sha256 = Files.readString(outDir.resolve(file.getFileName() + ".sha256"), StandardCharsets.US_ASCII).trim();
        return new Artifact(version, file, sha256);
    }

    private static Path findRepo() {
        String fromEnv = System.getenv("BATON_REPO");
        if (fromEnv != null && Files.isDirectory(Path.of(fromEnv, "demo-app"))) {
            return Path.of(fromEnv).toAbsolutePath();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("demo-app"))) {
                return dir;
            }
        }
        return fail("cannot find the repository root (a directory holding demo-app/); set BATON_REPO");
    }

    private static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
