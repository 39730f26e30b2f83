package dev.baton.agent.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.agent.AgentHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
