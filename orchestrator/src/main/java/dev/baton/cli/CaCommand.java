package dev.baton.cli;

import dev.baton.ca.CertificateAuthority;
import dev.baton.tls.PemFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The operator's certificate authority for mutual TLS with the agents: {@code baton ca init} makes it,
 * {@code baton ca agent-cert HOST...} and {@code baton ca client-cert NAME} issue from it. Private keys are written
 * 0600 and never over an existing file.
 */
@Command(name = "ca", description = "The certificate authority for mutual TLS between Baton and its agents.",
        subcommands = {CaCommand.Init.class, CaCommand.AgentCert.class, CaCommand.ClientCert.class})
final class CaCommand implements Runnable {
    static final String CERT = "ca.pem";
    static final String KEY = "ca-key.pem";

    @Override
    public void run() {
        throw new BatonMain.UserError("name a subcommand: baton ca init | agent-cert HOST... | client-cert NAME (see baton ca --help)");
    }

    @Command(name = "init", description = "Create a CA (ECDSA P-256): DIR/ca.pem (give it to every agent and Baton server) and DIR/ca-key.pem (keep it offline).")
    static final class Init implements Callable<Integer> {
        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "where to write ca.pem and ca-key.pem (created if missing)")
        Path dir;

        @Option(names = "--name", paramLabel = "NAME", description = "the CA's common name (default: Baton CA)")
        String name = "Baton CA";

        @Option(names = "--days", paramLabel = "N", description = "validity in days (default: 3650)")
        int days = 3650;

        @Override
        public Integer call() {
            checkDays(days);
            CertificateAuthority ca = CertificateAuthority.create(name, Duration.ofDays(days));
            try {
                Files.createDirectories(dir);
                PemFiles.writePrivateKey(dir.resolve(KEY), ca.keys().getPrivate());
                PemFiles.writeCertificate(dir.resolve(CERT), ca.certificate());
            } catch (IOException e) {
                throw new BatonMain.UserError(e.getMessage());
            }
            System.out.println("CA \"" + name + "\" written: " + dir.resolve(CERT) + " (public) and " + dir.resolve(KEY) + " (secret, 0600)");
            return BatonMain.OK;
        }
    }

    @Command(name = "agent-cert", description = "Issue a certificate for the agent on each HOST (IP address or DNS name, as the "
            + "orchestrator reaches it): OUT/HOST.pem and OUT/HOST-key.pem, for TLS server auth only.")
    static final class AgentCert implements Callable<Integer> {
        @Parameters(paramLabel = "HOST", arity = "1..*", description = "the agents' addresses")
        List<String> hosts;

        @Mixin
        Issuing issuing;

        @Override
        public Integer call() {
            CertificateAuthority ca = issuing.authority();
            for (String host : hosts) {
                if (!host.matches("[A-Za-z0-9.:-]{1,253}")) throw new BatonMain.UserError("\"" + host + "\" is not a host name or IP address");
                issuing.write(ca.agent(host, issuing.validity()), host);
            }
            return BatonMain.OK;
        }
    }

    @Command(name = "client-cert", description = "Issue a client certificate for a Baton server or CLI that calls agents: "
            + "OUT/NAME.pem and OUT/NAME-key.pem, for TLS client auth only.")
    static final class ClientCert implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "who holds it, e.g. baton-server")
        String name;

        @Mixin
        Issuing issuing;

        @Override
        public Integer call() {
            if (!name.matches("[A-Za-z0-9._-]{1,64}")) throw new BatonMain.UserError("\"" + name + "\" is not a name (letters, digits, . _ -)");
            issuing.write(issuing.authority().client(name, issuing.validity()), name);
            return BatonMain.OK;
        }
    }

    private static void checkDays(int days) {
        if (days < 1 || days > 36500) throw new BatonMain.UserError("--days " + days + " is out of range 1..36500");
    }

    /** What issuing from the CA needs: where the CA is, where the files go, how long they are valid. */
    static final class Issuing {
        @Option(names = "--ca", required = true, paramLabel = "DIR", description = "the CA's directory (ca.pem, ca-key.pem)")
        Path caDir;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "where to write the certificates and keys")
        Path out;

        @Option(names = "--days", paramLabel = "N", description = "validity in days (default: 397)")
        int days = 397;

        Duration validity() {
            checkDays(days);
            return Duration.ofDays(days);
        }

        CertificateAuthority authority() {
            try {
                return CertificateAuthority.load(caDir.resolve(CERT), caDir.resolve(KEY));
            } catch (IOException e) {
                throw new BatonMain.UserError("cannot read the CA in " + caDir + ": " + e.getMessage());
            }
        }

        void write(CertificateAuthority.Issued issued, String name) {
            try {
                Files.createDirectories(out);
                PemFiles.writePrivateKey(out.resolve(name + "-key.pem"), issued.keys().getPrivate());
                PemFiles.writeCertificate(out.resolve(name + ".pem"), issued.certificate());
            } catch (IOException e) {
                throw new BatonMain.UserError(e.getMessage());
            }
            System.out.println(name + ": " + out.resolve(name + ".pem") + " and " + out.resolve(name + "-key.pem") + " (0600)");
        }
    }
}
