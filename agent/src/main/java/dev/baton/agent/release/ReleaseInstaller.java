package dev.baton.agent.release;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Fetches, verifies and unpacks an artifact into {@code releases/<version>}.
 * All work happens in a temp dir inside {@code releases/}; only a verified, fully extracted tree is renamed into place.
 */
public final class ReleaseInstaller {

    private final ReleaseStore store;
    private final ArtifactDownloader downloader;
    private final TarGzExtractor extractor;
    /** One lock per version name ever installed here: few, and never worth the race of removing them. */
    private final ConcurrentMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public ReleaseInstaller(ReleaseStore store, ArtifactDownloader downloader, TarGzExtractor extractor) {
        this.store = store;
        this.downloader = downloader;
        this.extractor = extractor;
    }

    public ArtifactPolicy policy() {
        return downloader.policy();
    }

    /**
     * Installs the version unless it is already installed; returns whether it did. Installs of one version take
     * turns (a prefetch and a restart may ask at once), so a second caller waits and then finds it installed.
     *
     * @throws ArtifactException if the download fails or the sha256 does not match
     * @throws IOException if the artifact cannot be unpacked or put in place
     */
    public boolean installIfMissing(String version, URI url, String sha256) throws IOException, InterruptedException {
        ReentrantLock lock = locks.computeIfAbsent(VersionName.check(version), name -> new ReentrantLock());
        lock.lockInterruptibly();
        try {
            if (store.isInstalled(version)) {
                return false;
            }
            install(version, url, sha256);
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void install(String version, URI url, String sha256) throws IOException {
        Path temp = store.createTempDir();
        try {
            Path archive = temp.resolve("artifact.tar.gz");
            downloader.download(url, sha256, archive);
            Path tree = temp.resolve("tree");
            extractor.extract(archive, tree);
            store.install(tree, version);
        } finally {
            ReleaseStore.deleteTree(temp);
        }
    }
}
