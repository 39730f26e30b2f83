package dev.baton.agent.hook;

import dev.baton.agent.app.Pids;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Ends a process together with everything it started: SIGTERM to all, then SIGKILL to whatever is left. */
final class ProcessTree {

    private static final long POLL_MILLIS = 50;

    private ProcessTree() {
    }

    /**
     * Signals descendants before the process itself: once a parent is gone its children are re-parented and can no
     * longer be found through it. Returns whether the whole tree is gone.
     */
    static boolean kill(ProcessHandle root, Duration grace) throws InterruptedException {
        Set<ProcessHandle> tree = new LinkedHashSet<>(treeOf(root));
        tree.forEach(ProcessHandle::destroy);
        if (awaitExit(tree, grace)) {
            return true;
        }
        // Whatever started meanwhile is in the tree too, as long as its parent still runs.
        tree.addAll(treeOf(root));
        killNow(tree);
        return awaitExit(tree, grace);
    }

    /** SIGKILL to the whole tree at once, without waiting: for when the caller itself must stop. */
    static void killNow(ProcessHandle root) {
        killNow(treeOf(root));
    }

    private static void killNow(Iterable<ProcessHandle> tree) {
        tree.forEach(ProcessHandle::destroyForcibly);
    }

    private static List<ProcessHandle> treeOf(ProcessHandle root) {
        List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
        tree.add(root);
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
