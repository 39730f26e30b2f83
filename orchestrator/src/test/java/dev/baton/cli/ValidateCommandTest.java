package dev.baton.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code baton validate}: offline, every plan checked, one line each, exit 0 only when all are valid. */
class ValidateCommandTest {
    private static final Path PLANS = Path.of(System.getProperty("user.dir")).getParent().resolve("plans");

    private static BatonCli.Run baton(String... args) {
        return BatonCli.run(args);
    }

    @Test
    void theExamplePlansAreValidWithoutAnyConsul() throws Exception {
        List<String> args = new ArrayList<>(List.of("validate"));
        try (Stream<Path> files = Files.list(PLANS)) {
            files.filter(f -> f.toString().endsWith(".yaml")).sorted().forEach(f -> args.add(f.toString()));
        }
        BatonCli.Run run = baton(args.toArray(String[]::new));
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out().lines()).hasSize(args.size() - 1).allMatch(l -> l.contains(": ok ("));
    }

    @Test
    void everyBadPlanGetsItsOwnLineAndExit2(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "service: web\nversion: 2.0.0\nartifact: { url: http://x/y, sha256: abc }\n");
        Path typo = Files.writeString(dir.resolve("typo.yaml"), "service: web\nversion: 2.0.0\nartifact: { url: http://x/y, sha256: "
                + "a".repeat(64) + " }\ndrain: { mode: maintenanse }\n");
        Path good = PLANS.resolve("one-at-a-time.yaml");

        BatonCli.Run run = baton("validate", bad.toString(), good.toString(), typo.toString());

        assertThat(run.code()).isEqualTo(BatonMain.USAGE);
        assertThat(run.out().strip()).startsWith(good + ": ok (");
        assertThat(run.err().lines()).containsExactly(
                "baton: " + bad + ":3:38: artifact.sha256: \"abc\" is not valid (64 hex digits: the sha256 of the artifact)",
                "baton: " + typo + ":4:16: drain.mode: \"maintenanse\" is not one of maintenance, deregister, none");
    }
}
