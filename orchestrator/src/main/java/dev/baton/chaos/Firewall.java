package dev.baton.chaos;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes one loopback address unreachable with an iptables rule ({@code -A INPUT -d 127.x.y.z -j DROP}), and takes
 * every rule it added away again on {@link #close} (and from a shutdown hook, should the JVM be stopped).
 */
public final class Firewall implements AutoCloseable {
    private final List<String> dropped = new ArrayList<>();
    private final Thread cleanup = new Thread(this::restoreAll, "firewall-cleanup");

    public Firewall() {
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** Drops every packet to {@code address}, which must be in 127.0.0.0/8. */
    public synchronized void drop(String address) throws IOException, InterruptedException {
        if (!address.startsWith("127.") || address.equals("127.0.0.1")) {
            throw new IllegalArgumentException("only a fleet's own loopback address may be dropped, not " + address);
        }
        iptables("-A", address);
        dropped.add(address);
    }

    public synchronized void restore(String address) throws IOException, InterruptedException {
        if (dropped.remove(address)) iptables("-D", address);
    }

    public synchronized List<String> dropped() {
        return List.copyOf(dropped);
    }

    private synchronized void restoreAll() {
        for (String address : List.copyOf(dropped)) {
            try {
                restore(address);
            } catch (IOException | InterruptedException e) {
                System.err.println("chaos: could not remove the iptables rule dropping " + address + ": " + e.getMessage()
                        + " (remove it with: iptables -D INPUT -d " + address + " -j DROP)");
            }
        }
    }

    private static void iptables(String action, String address) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("iptables", "-w", "5", action, "INPUT", "-d", address, "-j", "DROP")
                .redirectErrorStream(true).start();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("iptables " + action + " " + address + " did not finish");
        }
        String output = new String(process.getInputStream().readAllBytes()).strip();
        if (process.exitValue() != 0) {
            throw new IOException("iptables " + action + " INPUT -d " + address + " -j DROP failed (" + process.exitValue()
                    + "): " + output + " (the chaos suite needs root and the iptables package: run bin/setup)");
        }
    }

    @Override
    public void close() {
        restoreAll();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook itself is running
        }
    }
}
