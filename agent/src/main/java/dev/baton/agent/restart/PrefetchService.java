package dev.baton.agent.restart;

import dev.baton.agent.release.ArtifactException;
import dev.baton.agent.release.ReleaseInstaller;
import dev.baton.agent.release.ReleaseStore;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs a release ahead of its restart, in the caller's thread, with the restart's own fetch code.
 * It never touches the app or {@code current}, so it may run beside a restart; a restart of the same version then
 * waits for it and finds the version installed.
 */
public final class PrefetchService {

    private static final Logger LOG = LoggerFactory.getLogger(PrefetchService.class);

    /** {@code installed} is always true in an answer: a failed prefetch is an error, not a result. */
    public record Result(String version, boolean installed, boolean alreadyInstalled, long durationMs) {
    }

    private final ReleaseStore store;
    private final ReleaseInstaller installer;

    public PrefetchService(ReleaseStore store, ReleaseInstaller installer) {
        this.store = store;
        this.installer = installer;
    }

    /**
     * @throws InvalidRequestException if the request is invalid (nothing changed)
     * @throws ArtifactException if the download fails or the sha256 does not match (nothing left behind)
     * @throws IOException with a one-line message if the verified artifact cannot be installed
     */
    public Result prefetch(PrefetchRequest request) throws IOException, InterruptedException {
        long started = System.nanoTime();
        String version = request.version();
        try {
            store.releaseDir(version);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        if (request.artifact() == null) {
            throw new InvalidRequestException("artifact is required");
        }
        URI url = RestartPlan.url(request.artifact().url(), installer.policy());
        String sha256 = RestartPlan.sha256(request.artifact().sha256());
        boolean installedNow;
        try {
            installedNow = installer.installIfMissing(version, url, sha256);
        } catch (ArtifactException e) {
            LOG.warn("prefetch of {} failed: {}", version, e.getMessage());
            throw e;
        } catch (IOException e) {
            String message = "cannot install version " + version + ": " + PhaseRecorder.oneLine(e);
            LOG.warn("prefetch of {} failed: {}", version, message);
            throw new IOException(message, e);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        LOG.info("prefetch of {}: {} after {}ms", version, installedNow ? "installed from " + dev.baton.agent.release.ArtifactPolicy.redact(url) : "already installed",
                millis);
        return new Result(version, true, !installedNow, millis);
    }
}
