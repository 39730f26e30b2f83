package dev.baton.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine limits a large local fleet needs, checked before anything starts: open files (each host holds an agent
 * server, an app, HAProxy's and Consul's health-check connections, the load's connections) and ephemeral ports (every
 * connection HAProxy, Consul and the load make takes one). A limit too small fails with the command that raises it.
 */
final class Resources {
    private static final int FILES_PER_HOST = 40;
    private static final int FILES_BASE = 4096;
    private static final int PORTS_NEEDED = 10_000;

    private Resources() {
    }

    static void require(int hosts) throws IOException {
        long files = openFilesLimit();
        long needed = FILES_BASE + (long) FILES_PER_HOST * hosts;
        if (files < needed) {
            throw new IllegalStateException("open files limit is " + files + ", " + hosts + " hosts need " + needed
                    + ": raise it (ulimit -n " + needed + ") and run again");
        }
        String[] range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+");
        int ports = Integer.parseInt(range[1]) - Integer.parseInt(range[0]) + 1;
        if (ports < PORTS_NEEDED) {
            throw new IllegalStateException("only " + ports + " ephemeral ports (" + range[0] + "-" + range[1] + "): widen them, e.g. "
                    + "sysctl -w net.ipv4.ip_local_port_range=\"15000 64000\"");
        }
    }

    /** The soft limit of this process (children inherit it); HAProxy raises its own as needed. */
    private static long openFilesLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        throw new IOException("/proc/self/limits has no open files line");
    }
}
