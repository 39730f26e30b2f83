package dev.baton.agent.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.agent.AgentHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseStoreTest {

    @TempDir
    Path temp;

    @Test
    void switchesCurrentAndListsVersionsInNaturalOrder() throws IOException {
        ReleaseStore store = new ReleaseStore(new AgentHome(temp));
        store.prepare();
        for (String version : new String[] {"1.10.0", "1.9.0", "2.0.0-rc1"}) {
            Files.createDirectories(store.releaseDir(version));
        }
        Files.createDirectories(temp.resolve("releases/.tmp-123"));

        store.switchTo("1.9.0");
        store.switchTo("1.10.0");

        assertThat(store.versions()).containsExactly("1.9.0", "1.10.0", "2.0.0-rc1");
        assertThat(store.currentVersion()).hasValue("1.10.0");
        assertThat(Files.readSymbolicLink(temp.resolve("current"))).isEqualTo(Path.of("releases/1.10.0"));
        store.prepare();
        assertThat(temp.resolve("releases/.tmp-123")).doesNotExist();
    }

    @Test
    void refusesVersionNamesThatCouldEscape() {
        ReleaseStore store = new ReleaseStore(new AgentHome(temp));
        for (String version : new String[] {"../evil", "..", "/etc", "a/b", "x..y", "", ".hidden", "a".repeat(65)}) {
            assertThatThrownBy(() -> store.releaseDir(version)).as(version).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(store.releaseDir("1.0.0+build.7")).isEqualTo(temp.resolve("releases/1.0.0+build.7"));
    }

    @Test
    void removesTheReleasesInstalledLongestAgoButNeverCurrentOrPrevious() throws IOException {
        ReleaseStore store = new ReleaseStore(new AgentHome(temp));
        store.prepare();
        // Installed in this order: 5.0.0 first, 1.0.0 last; version numbers do not decide, install times do.
        String[] installOrder = {"5.0.0", "4.0.0", "3.0.0", "2.0.0", "1.0.0"};
        for (String version : installOrder) {
            install(store, version);
        }
        store.switchTo("5.0.0");

        List<String> removed = store.removeOldReleases(3, Set.of("5.0.0", "4.0.0"));

        assertThat(removed).containsExactly("3.0.0", "2.0.0");
        assertThat(store.versions()).containsExactly("1.0.0", "4.0.0", "5.0.0");
        assertThat(store.removeOldReleases(2, Set.of("5.0.0", "4.0.0"))).containsExactly("1.0.0");
        assertThat(store.versions()).containsExactly("4.0.0", "5.0.0");
        assertThat(store.currentVersion()).hasValue("5.0.0");
    }

    @Test
    void keepsEverythingWhenThereAreNoMoreThanN() throws IOException {
        ReleaseStore store = new ReleaseStore(new AgentHome(temp));
        store.prepare();
        install(store, "1.0.0");
        install(store, "2.0.0");
        store.switchTo("2.0.0");

        assertThat(store.removeOldReleases(3, Set.of("2.0.0", "1.0.0"))).isEmpty();
        assertThat(store.versions()).containsExactly("1.0.0", "2.0.0");
    }

    private static void install(ReleaseStore store, String version) throws IOException {
        Path tree = Files.createDirectories(store.createTempDir().resolve("tree"));
        Files.writeString(tree.resolve("app"), version);
        store.install(tree, version);
        // File times have a coarse grain on some file systems: make the install order unambiguous.
        Path dir = store.releaseDir(version);
        Files.setLastModifiedTime(dir, FileTime.fromMillis(Files.getLastModifiedTime(dir).toMillis() + order++ * 10_000L));
    }

    private static long order;
}
