package dev.baton.cli;

import dev.baton.api.BatonServer;
import dev.baton.api.ServerConfig;
import dev.baton.api.ServerTls;
import dev.baton.hooks.DeployHooks;
import dev.baton.notify.Webhook;
import dev.baton.notify.WebhooksFile;
import dev.baton.schedule.ServiceWindows;
import dev.baton.schedule.WindowsFile;
import dev.baton.api.TokensFile;
import dev.baton.store.StoreException;
import okhttp3.HttpUrl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "server", description = "Run the Baton server: the REST API, live events and the dashboard, "
        + "rollout state in Consul KV. The agents' token is the server's own: --agent-token-file, else $BATON_AGENT_TOKEN.")
final class ServerCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8800",
            description = "where to listen (default: ${DEFAULT-VALUE}; port 0 picks a free one)")
    String listen;

    @Option(names = "--advertise", paramLabel = "URL",
            description = "the URL clients reach this server at, which followers name when it leads (default: the --listen "
                    + "address; set it when listening on 0.0.0.0 or behind a proxy)")
    String advertise;

    @Option(names = "--consul", paramLabel = "URL",
            description = "Consul HTTP address; default: $CONSUL_HTTP_ADDR, then " + ConsulAddress.DEFAULT)
    String consulFlag;

    @Option(names = "--tokens-file", paramLabel = "FILE", required = true,
            description = "API tokens and their roles: lines \"role token\" (viewer, deployer, admin), or YAML")
    Path tokensFile;

    @Option(names = "--agent-port", paramLabel = "PORT", defaultValue = "7070", hidden = true,
            description = "unused: the fleet view no longer asks agents (kept so that old command lines still start)")
    int agentPort;

    @Option(names = "--agent-token-file", paramLabel = "FILE",
            description = "the Baton agents' bearer token (one line, mode 600); default: $BATON_AGENT_TOKEN")
    Path agentTokenFile;

    @Option(names = "--hooks-file", paramLabel = "FILE",
            description = "the deploy hooks plans may name (YAML: name: { command: [/abs/program, args...], timeout: 30s })")
    Path hooksFile;

    @Option(names = "--webhooks-file", paramLabel = "FILE",
            description = "where to tell about rollouts (YAML: webhooks: [{ name, url, secret: { env | file }, format: json|slack, "
                    + "events, services }]); see docs/server-api.md")
    Path webhooksFile;

    @Option(names = "--windows-file", paramLabel = "FILE",
            description = "deploy windows (YAML: global: and services: NAME: lists of { allow|deny: NAME, cron, duration, zone })")
    Path windowsFile;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "the server's certificate chain (PEM); with --tls-key: HTTPS only")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "the private key of --tls-cert (PEM, PKCS#8: BEGIN PRIVATE KEY)")
    Path tlsKey;

    @Option(names = "--insecure-http", description = "allow plain HTTP on an address other than loopback (e.g. behind a TLS proxy)")
    boolean insecureHttp;

    @Override
    public Integer call() throws InterruptedException {
        TokensFile.Loaded tokens;
        try {
            tokens = TokensFile.load(tokensFile);
        } catch (TokensFile.Invalid e) {
            throw new BatonMain.UserError(e.getMessage());
        }
        tokens.warnings().forEach(w -> System.err.println("baton: warning: " + w));
        String agentToken = AgentToken.read(agentTokenFile);
        if (agentToken == null) {
            System.err.println("baton: warning: no agent token (--agent-token-file or " + AgentToken.ENV
                    + "): every rollout will be refused");
        }
        DeployHooks hooks = LocalHooks.load(hooksFile);
        List<Webhook> webhooks = List.of();
        if (webhooksFile != null) {
            try {
                webhooks = WebhooksFile.load(webhooksFile, System::getenv);
            } catch (WebhooksFile.Invalid e) {
                throw new BatonMain.UserError(e.getMessage());
            }
        }
        ServiceWindows windows = ServiceWindows.NONE;
        try {
            if (windowsFile != null) windows = WindowsFile.read(windowsFile);
        } catch (IllegalArgumentException e) {
            throw new BatonMain.UserError(e.getMessage());
        }
        if ((tlsCert == null) != (tlsKey == null)) throw new BatonMain.UserError("give both --tls-cert and --tls-key, or neither");
        ServerTls tls = null;
        if (tlsCert != null) {
            try {
                tls = ServerTls.load(tlsCert, tlsKey);
            } catch (ServerTls.Invalid e) {
                throw new BatonMain.UserError(e.getMessage());
            }
        }
        HttpUrl consul = ConsulAddress.resolve(consulFlag);
        int colon = listen.lastIndexOf(':');
        int port;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
            if (colon <= 0 || port < 0 || port > 65535) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            throw new BatonMain.UserError("--listen: \"" + listen + "\" is not HOST:PORT (e.g. 127.0.0.1:8800)");
        }
        String host = listen.substring(0, colon);
        if (advertise != null) {
            HttpUrl advertised = HttpUrl.parse(advertise);
            if (advertised == null || !advertised.encodedPath().equals("/")) {
                throw new BatonMain.UserError("--advertise: \"" + advertise + "\" is not a server URL (e.g. https://baton-1.example:8800)");
            }
            advertise = advertise.replaceAll("/$", "");
        }

        ServerConfig config = ServerConfig.of(host, port, consul, tokens.tokens(), System::getenv).withAgentPort(agentPort)
                .withAgentToken(agentToken).withHooks(hooks).withTls(tls, insecureHttp).withWebhooks(webhooks)
                .withWindows(windows).withAdvertise(advertise);
        BatonServer server;
        try {
            server = BatonServer.start(config);
        } catch (StoreException | BatonServer.Refused e) {
            throw new BatonMain.UserError(e.getMessage());
        } catch (RuntimeException e) {
            if (e.getClass().getName().contains("Bind") || e.getCause() instanceof java.net.BindException) {
                throw new BatonMain.UserError("cannot listen on " + listen + ": " + rootMessage(e));
            }
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "baton-server-stop"));
        String consulText = consul.toString().replaceAll("/$", "");
        System.out.println("baton server listening on " + server.listening() + " ("
                + (advertise == null ? "" : "advertised as " + advertise + ", ") + "Consul " + consulText + ", " + tokens.tokens().size() + " tokens, " + hooks.size() + " deploy hooks, "
                + webhooks.size() + " webhooks; " + (server.leading() ? "the leader" : "a follower") + ")");
        System.out.flush();
        stopped.await();
        return BatonMain.OK;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        return t.getMessage();
    }
}
