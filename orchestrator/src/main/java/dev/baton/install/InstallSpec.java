package dev.baton.install;

import dev.baton.ssh.SshSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What {@code baton agent install} puts on every host: the distribution, the agent's flags, its credentials, and how
 * it is run. Paths on the host are checked here to be plain absolute paths: they go into a systemd unit and a
 * picocli argument file, where a space, {@code $} or {@code %} would mean something.
 *
 * @param dist           the local {@code baton-<version>.tar.gz}
 * @param version        the version the tarball holds (from its name)
 * @param prefix         where releases go on the host: {@code prefix/<version>} and {@code prefix/current}
 * @param configDir      the agent's flags, token and TLS files on the host
 * @param unitDir        where the systemd unit and its drop-in go
 * @param agentHome      the agent's {@code --home}
 * @param serviceUser    who the agent runs as; null: baton-agent under systemd, the login user otherwise
 * @param systemd        false: never use systemd, print the command for the operator's supervisor
 * @param restartCommand run on the host (with sh) after a change when there is no systemd; null for none
 * @param agentFlags     the agent's flags besides --home and --token-file, {@code {host}} not yet replaced
 * @param tls            the agent's certificate directory (HOST.pem, HOST-key.pem) and the client CA; null: plain HTTP
 * @param token          the agents' bearer token
 * @param sudo           run every remote script through {@code sudo -n}
 * @param statusTimeout  how long the agent has to answer {@code /v1/status} after a (re)start
 */
public record InstallSpec(Path dist, String version, String prefix, String configDir, String unitDir, String agentHome,
                          String serviceUser, boolean systemd, String restartCommand, AgentFlags agentFlags, Tls tls,
                          String token, boolean sudo, SshSettings ssh, Duration statusTimeout) {
    public static final String UNIT = "baton-agent.service";
    public static final String DEFAULT_SERVICE_USER = "baton-agent";
    private static final Pattern PLAIN_PATH = Pattern.compile("/[A-Za-z0-9._+@/-]*");
    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");

    /** TLS material on this machine: {@code dir/HOST.pem}, {@code dir/HOST-key.pem} (baton ca agent-cert) and the CA. */
    public record Tls(Path certificateDir, Path clientCa) {
    }

    public InstallSpec {
        for (String[] path : new String[][]{{"--prefix", prefix}, {"--config-dir", configDir}, {"--unit-dir", unitDir},
                {"--agent-home", agentHome}}) {
            checkPath(path[0], path[1]);
        }
        if (serviceUser != null && !USER.matcher(serviceUser).matches()) {
            throw new IllegalArgumentException("--service-user \"" + serviceUser + "\" is not a user name");
        }
        if (restartCommand != null && systemd) {
            throw new IllegalArgumentException("--restart-command is for hosts without systemd: give --no-systemd too");
        }
        if (token == null || token.isBlank() || token.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("the agents' token must be one word: --token-file FILE or $BATON_AGENT_TOKEN");
        }
    }

    static void checkPath(String option, String path) {
        if (path == null || !PLAIN_PATH.matcher(path).matches() || List.of(path.split("/")).contains("..") || path.length() > 1 && path.endsWith("/")) {
            throw new IllegalArgumentException(option + " \"" + path + "\" must be an absolute path of letters, digits and . _ + @ - "
                    + "(it goes into a systemd unit and the agent's argument file)");
        }
    }

    public String releaseDir() {
        return prefix + "/" + version;
    }

    public String current() {
        return prefix + "/current";
    }

    public String argsFile() {
        return configDir + "/agent.args";
    }

    public String tokenFile() {
        return configDir + "/agent.token";
    }

    /** The command that runs the agent, the same under systemd (the drop-in's ExecStart=) and under a supervisor. */
    public String agentCommand() {
        return current() + "/bin/baton-agent @" + argsFile();
    }
}
