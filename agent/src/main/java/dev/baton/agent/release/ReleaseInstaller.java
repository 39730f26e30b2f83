package dev.baton.agent.release;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * Fetches, verifies and unpacks an artifact into {@code releases/<version>}.
 * All work happens in a temp dir inside {@code releases/}; only a verified, fully extracted tree is renamed into place.
 */
public final class ReleaseInstaller {

    private final ReleaseStore store;
    private final ArtifactDownloader downloader;
    private final TarGzExtractor extractor;

    public ReleaseInstaller(ReleaseStore store, ArtifactDownloader downloader, TarGzExtractor extractor) {
        this.store = store;
        this.downloader = downloader;
        this.extractor = extractor;
    }

    public void install(String version, URI url, String sha256) throws IOException {
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
