package dev.baton.agent.release;

import dev.baton.agent.AgentHome;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/** The installed releases under {@code <home>/releases} and the {@code current} symlink. */
public final class ReleaseStore {

    private static final String TEMP_PREFIX = ".tmp-";

    private final AgentHome home;

    public ReleaseStore(AgentHome home) {
        this.home = home;
    }

    /** Creates the directories and removes temp dirs left by an interrupted fetch. */
    public void prepare() throws IOException {
        Files.createDirectories(home.releases());
        try (Stream<Path> entries = Files.list(home.releases())) {
            for (Path entry : entries.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX)).toList()) {
                deleteTree(entry);
            }
        }
    }

    /** The directory of a version; throws {@link IllegalArgumentException} for names that could escape. */
    public Path releaseDir(String version) {
        VersionName.check(version);
        Path releases = home.releases();
        Path dir = releases.resolve(version).normalize();
        if (!releases.equals(dir.getParent())) {
            throw new IllegalArgumentException("invalid version '" + version + "': resolves outside releases/");
        }
        return dir;
    }

    public boolean isInstalled(String version) {
        return Files.isDirectory(releaseDir(version));
    }

    public boolean hasCurrent() {
        return Files.isDirectory(home.current());
    }

    public Optional<String> currentVersion() {
        Path current = home.current();
        try {
            if (Files.isSymbolicLink(current)) {
                return Optional.of(Files.readSymbolicLink(current).getFileName().toString());
            }
            if (Files.isDirectory(current)) {
                return Optional.of(current.toRealPath().getFileName().toString());
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    public List<String> versions() {
        try (Stream<Path> entries = Files.list(home.releases())) {
            List<String> names = new ArrayList<>(entries
                    .filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(name -> !name.startsWith("."))
                    .toList());
            names.sort(new VersionOrder());
            return names;
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + home.releases() + ": " + e.getMessage(), e);
        }
    }

    /** Repoints {@code current} at the version with one rename, so readers never see it missing. */
    public void switchTo(String version) throws IOException {
        releaseDir(version);
        Path temp = home.root().resolve(".current-" + UUID.randomUUID());
        Files.createSymbolicLink(temp, Path.of("releases", version));
        try {
            Files.move(temp, home.current(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** A fresh scratch directory inside {@code releases/}, on the same file system as the final location. */
    public Path createTempDir() throws IOException {
        Files.createDirectories(home.releases());
        return Files.createTempDirectory(home.releases(), TEMP_PREFIX);
    }

    /** Moves a fully extracted tree into place with one rename; its time stamp says when it was installed. */
    public void install(Path tree, String version) throws IOException {
        Files.setLastModifiedTime(tree, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
        Files.move(tree, releaseDir(version), StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Deletes the releases installed longest ago until at most {@code keep} remain, never one of {@code kept}
     * (the current and the previous release). Returns the versions removed.
     */
    public List<String> removeOldReleases(int keep, java.util.Set<String> kept) throws IOException {
        List<Path> newestFirst = new ArrayList<>();
        for (String version : versions()) {
            newestFirst.add(releaseDir(version));
        }
        newestFirst.sort(java.util.Comparator.comparing(ReleaseStore::installedAt).reversed());
        List<String> removed = new ArrayList<>();
        int remaining = newestFirst.size();
        for (int i = newestFirst.size() - 1; i >= 0 && remaining > keep; i--) {
            String version = newestFirst.get(i).getFileName().toString();
            if (kept.contains(version) || currentVersion().filter(version::equals).isPresent()) {
                continue;
            }
            deleteTree(newestFirst.get(i));
            removed.add(version);
            remaining--;
        }
        return removed;
    }

    private static java.nio.file.attribute.FileTime installedAt(Path dir) {
        try {
            return Files.getLastModifiedTime(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.fromMillis(0);
        }
    }

    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
