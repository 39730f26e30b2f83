package dev.baton.install;

import dev.baton.agentclient.AgentCredentials;
import dev.baton.ssh.SshConnector;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** {@code baton agent install}: every host in turn, one result (a line, or a plan under a dry run) per host. */
public final class AgentInstaller {
    private final InstallSpec spec;
    private final Tarball tarball;
    private final SshConnector connector;
    private final StatusCheck status;

    /** @param checking how this machine reaches the agents for the status check: the token, and TLS when they have it */
    public AgentInstaller(InstallSpec spec, AgentCredentials checking) throws IOException {
        this.spec = spec;
        this.tarball = Tarball.of(spec.dist());
        if (!tarball.version().equals(spec.version())) {
            throw new IllegalArgumentException("--dist " + spec.dist() + " holds " + tarball.version() + ", not " + spec.version());
        }
        tarball.read("bin/baton-agent");
        this.connector = new SshConnector(spec.ssh());
        this.status = new StatusCheck(checking);
    }

    /** The version a tarball named {@code baton-<version>.tar.gz} holds. */
    public static String versionOf(java.nio.file.Path dist) {
        return Tarball.versionOf(dist);
    }

    /** Installs on each host, printing each host's result as it ends; the results in order. */
    public List<HostResult> install(List<String> hosts, boolean dryRun, PrintStream out) throws InterruptedException {
        List<HostResult> results = new ArrayList<>();
        for (String host : hosts) {
            HostResult result = new HostInstall(spec, tarball, connector, status, host).run(dryRun);
            out.println(result.text());
            out.flush();
            results.add(result);
        }
        return results;
    }
}
