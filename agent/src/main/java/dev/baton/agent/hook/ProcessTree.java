package dev.baton.agent.hook;

import dev.baton.agent.app.Pids;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Ends a process together with everything it started: SIGTERM to all, then SIGKILL to whatever is left. */
final class ProcessTree {

    private static final long POLL_MILLIS = 50;

    private ProcessTree() {
    }

    /**
     * Finds and signals the descendants before the process itself: once a parent is gone its children are
     * re-parented and can no longer be found through it. Returns whether the whole tree is gone.
     */
    static boolean kill(ProcessHandle root, Duration grace) throws InterruptedException {
        Set<ProcessHandle> tree = withDescendants(List.of(root));
        tree.forEach(ProcessHandle::destroy);
        if (awaitExit(tree, grace)) {
            return true;
        }
        // Whatever the survivors started meanwhile belongs to the tree too.
        tree = withDescendants(tree);
        tree.forEach(ProcessHandle::destroyForcibly);
        return awaitExit(tree, grace);
    }

    /** SIGKILL to the whole tree at once, without waiting: for when the caller itself must stop. */
    static void killNow(ProcessHandle root) {
        withDescendants(List.of(root)).forEach(ProcessHandle::destroyForcibly);
    }

    /** The processes and all their live descendants, descendants first. */
    private static Set<ProcessHandle> withDescendants(Collection<ProcessHandle> processes) {
        Set<ProcessHandle> tree = new LinkedHashSet<>();
        for (ProcessHandle process : processes) {
            // A handle checks its process's start time, so a dead one's pid, even if reused, leads nowhere.
            if (process.isAlive()) {
                tree.addAll(process.descendants().toList());
            }
        }
        tree.addAll(processes);
        return tree;
    }

    /** A killed child stays a zombie until its parent reaps it; {@link Pids#isAlive} does not count those. */
    private static boolean awaitExit(Set<ProcessHandle> tree, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (tree.stream().anyMatch(process -> Pids.isAlive(process.pid()))) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }
}
