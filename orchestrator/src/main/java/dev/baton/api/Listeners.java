package dev.baton.api;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The server's one connector: HTTPS (TLS 1.2+, HTTP/1.1) when it has a certificate, else plain HTTP. Either way the
 * kernel queues up to {@link #ACCEPT_BACKLOG} connections not yet accepted: hundreds of dashboards reconnecting at once
 * (after a restart or a failover) would overflow the JDK's default of 50, and each connection dropped so waits a
 * second or more for its SYN to be sent again.
 */
final class Listeners {
    static final int ACCEPT_BACKLOG = 1024;

    private Listeners() {
    }

    static Connector tls(Server server, HttpConfiguration base, ServerTls tls, String host, int port) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(tls.keyStore());
        ssl.setKeyStorePassword(new String(tls.password()));
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        HttpConfiguration https = new HttpConfiguration(base);
        // clients reach servers by IP address too; the certificate, not SNI, is what they verify
        https.addCustomizer(new SecureRequestCustomizer(false));
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                new HttpConnectionFactory(https));
        return listening(connector, host, port);
    }

    /** The plain HTTP connector (no TLS configured). */
    static Connector plain(Server server, HttpConfiguration http, String host, int port) {
        return listening(new ServerConnector(server, new HttpConnectionFactory(http)), host, port);
    }

    private static Connector listening(ServerConnector connector, String host, int port) {
        connector.setHost(host);
        connector.setPort(port);
        connector.setAcceptQueueSize(ACCEPT_BACKLOG);
        return connector;
    }
}
