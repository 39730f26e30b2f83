package dev.baton.agent;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import dev.baton.agent.app.HandoffSignal;
import dev.baton.agent.app.ProcessControlConfig;
import dev.baton.tls.TlsContexts;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Command line entry point. User errors print one line and exit with 2. */
@Command(name = "baton-agent", mixinStandardHelpOptions = true, version = "baton-agent 0.1.0",
        description = "Controls this host's app process and switches its releases on the orchestrator's request.")
public final class AgentMain implements Callable<Integer> {

    static final int USAGE_ERROR = 2;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", description = "Address of the agent API.")
    private String listen;

    @Option(names = "--home", required = true, paramLabel = "DIR",
            description = "Holds releases/, the current symlink, app.pid and app.log.")
    private Path home;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private TokenSource token;

    @Option(names = "--app-command", paramLabel = "COMMAND",
            description = "App command line (--process process); the program is relative to the release, {pidfile} is replaced.")
    private String appCommand;

    @Option(names = "--process", paramLabel = "STRATEGY", defaultValue = ProcessControlConfig.PROCESS,
            description = "Who runs the app: process (the agent starts and watches it; default), systemd (the unit "
                    + "given by --unit), command (your supervisor, through --stop/start/reload/status-command).")
    private String process;

    @Option(names = "--unit", paramLabel = "NAME", description = "The app's systemd unit (--process systemd).")
    private String unit;

    @Option(names = "--systemctl", paramLabel = "PROGRAM", description = "The systemctl to run (default: systemctl on PATH).")
    private String systemctl;

    @Option(names = "--stop-command", paramLabel = "COMMAND",
            description = "Stops the app, letting it drain, e.g. 'sv -w 30 down /etc/service/app' (--process command).")
    private String stopCommand;

    @Option(names = "--start-command", paramLabel = "COMMAND", description = "Starts the app of the current release.")
    private String startCommand;

    @Option(names = "--reload-command", paramLabel = "COMMAND",
            description = "Sends the app the hand-off signal, e.g. 'sv hup /etc/service/app'; without it hand-offs are refused.")
    private String reloadCommand;

    @Option(names = "--status-command", paramLabel = "COMMAND",
            description = "Prints the app's main pid (a number, or 'sv status' output) or exits non-zero. Commands "
                    + "are split into words, never run by a shell; they get BATON_VERSION and BATON_RELEASE_DIR.")
    private String statusCommand;

    @Option(names = "--handoff-signal", paramLabel = "SIGNAL", defaultValue = "USR2",
            description = "USR2 (default) or HUP: what the agent sends for a hand-off under --process process; "
                    + "a unit's ExecReload or a --reload-command should send the same.")
    private String handoffSignal;

    @Option(names = "--ready-url", required = true, paramLabel = "URL", description = "Answers 200 when the app is ready.")
    private URI readyUrl;

    @Option(names = "--allow-hooks", description = "Run host hooks (POST /v1/hooks); refused with 403 without it.")
    private boolean allowHooks;

    @Option(names = "--hook-user", paramLabel = "USER",
            description = "Run hooks as this unprivileged user (needs --allow-hooks and setpriv).")
    private String hookUser;

    @Option(names = "--artifact-dir", paramLabel = "DIR",
            description = "Allow file: artifact URLs naming files below this directory; refused without it.")
    private Path artifactDir;

    @Option(names = "--allow-cross-host-redirects",
            description = "Let artifact downloads follow redirects to other hosts (default: same host only).")
    private boolean crossHostRedirects;

    @Option(names = "--keep-releases", paramLabel = "N", defaultValue = "" + AgentOptions.DEFAULT_KEEP_RELEASES,
            description = "Releases kept after a successful restart, current and previous included (default ${DEFAULT-VALUE}).")
    private int keepReleases;

    @Option(names = "--app-env", paramLabel = "NAME=VALUE",
            description = "A variable for the app, besides PATH, HOME, LANG and PIDFILE (repeatable).")
    private java.util.Map<String, String> appEnv = new java.util.LinkedHashMap<>();

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "This agent's certificate (PEM, from baton ca agent-cert HOST): "
            + "serve the API over mutual TLS. Needs --tls-key and --client-ca.")
    private Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "This agent's private key (PEM, mode 0600).")
    private Path tlsKey;

    @Option(names = "--client-ca", paramLabel = "FILE", description = "The operator's CA (PEM): only clients with a certificate it issued are served.")
    private Path clientCa;

    private final PrintWriter err;
    private Agent agent;

    AgentMain(PrintWriter err) {
        this.err = err;
    }

    static final class TokenSource {
        @Option(names = "--token-file", paramLabel = "FILE", description = "File holding the bearer token.")
        private Path file;

        @Option(names = "--token-env", paramLabel = "NAME", description = "Environment variable holding the bearer token.")
        private String env;
    }

    public static void main(String[] args) {
        int code = run(args, new PrintWriter(System.err, true, StandardCharsets.UTF_8));
        // On success the agent keeps running on its HTTP server thread until SIGTERM.
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Parses, starts the agent and returns: 0 once it is serving, 2 on a user error. */
    static int run(String[] args, PrintWriter err) {
        AgentMain main = new AgentMain(err);
        CommandLine commandLine = new CommandLine(main);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((e, ignored) -> {
            err.println("baton-agent: " + e.getMessage() + " (see --help)");
            return USAGE_ERROR;
        });
        return commandLine.execute(args);
    }

    @Override
    public Integer call() {
        try {
            if (appCommand != null && appCommand.isBlank()) {
                appCommand = null; // a unit's empty ${BATON_APP_COMMAND} under a supervisor strategy
            }
            ProcessControlConfig processControl = new ProcessControlConfig(process, unit, systemctl, stopCommand,
                    startCommand, reloadCommand, statusCommand, HandoffSignal.parse(handoffSignal));
            if (appCommand != null && !processControl.agentLaunchesApp()) {
                throw new UsageException("--app-command needs --process process; under " + process
                        + " the supervisor starts the app");
            }
            AgentOptions options = new AgentOptions(allowHooks, hookUser, artifactDir, crossHostRedirects, keepReleases,
                    appEnv, tls(), processControl);
            AgentConfig config = new AgentConfig(parseListen(listen), home, readToken(), token.env, appCommand,
                    checkReadyUrl(), options);
            agent = new Agent(config);
            agent.start();
        } catch (UsageException | IllegalArgumentException e) {
            return fail(e.getMessage());
        } catch (BindException e) {
            return fail("cannot listen on " + listen + ": " + e.getMessage());
        } catch (IOException e) {
            return fail("cannot start: " + e);
        }
        Agent started = agent;
        Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "baton-shutdown"));
        return 0;
    }

    /** Mutual TLS when all three of --tls-cert, --tls-key and --client-ca are given; none means plain HTTP. */
    private TlsContexts tls() throws UsageException {
        if (tlsCert == null && tlsKey == null && clientCa == null) return null;
        if (tlsCert == null || tlsKey == null || clientCa == null) {
            throw new UsageException("mutual TLS needs all of --tls-cert, --tls-key and --client-ca");
        }
        try {
            return TlsContexts.fromPem(clientCa, tlsCert, tlsKey);
        } catch (IOException e) {
            throw new UsageException("cannot load the TLS credentials: " + e.getMessage());
        }
    }

    private int fail(String message) {
        if (agent != null) {
            agent.stop();
        }
        err.println("baton-agent: " + message);
        return USAGE_ERROR;
    }

    private String readToken() throws UsageException {
        String value;
        if (token.file != null) {
            try {
                TokenFilePermissions.check(token.file);
                value = Files.readString(token.file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new UsageException("token file " + token.file + " does not exist");
            } catch (IOException e) {
                throw new UsageException("cannot read token file " + token.file + ": " + e.getMessage());
            }
        } else {
            value = System.getenv(token.env);
            if (value == null) {
                throw new UsageException("environment variable " + token.env + " is not set");
            }
        }
        if (value.isBlank()) {
            throw new UsageException("the token is empty");
        }
        return value.trim();
    }

    private URI checkReadyUrl() throws UsageException {
        String scheme = readyUrl.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme) || readyUrl.getHost() == null) {
            throw new UsageException("--ready-url must be an http or https URL, got '" + readyUrl + "'");
        }
        return readyUrl;
    }

    static InetSocketAddress parseListen(String text) throws UsageException {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new UsageException("--listen must be HOST:PORT, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new UsageException("--listen port must be a number, got '" + text + "'");
        }
        if (port < 0 || port > 65535) {
            throw new UsageException("--listen port must be between 0 and 65535, got " + port);
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new UsageException("--listen host '" + host + "' cannot be resolved");
        }
        return address;
    }
}
