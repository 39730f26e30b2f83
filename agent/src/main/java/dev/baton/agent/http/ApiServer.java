package dev.baton.agent.http;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A Jetty server with every resource a client could hold bounded: idle and slow connections are closed, threads
 * and connections are capped, request headers are limited. Jetty parses headers without a thread, so clients that
 * send half a request cost a connection slot until the idle timeout, never a handler thread.
 */
final class ApiServer implements AutoCloseable {

    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(5);
    static final int MAX_THREADS = 32;
    static final int MAX_CONNECTIONS = 256;
    static final int MAX_HEADER_BYTES = 8 * 1024;
    /** A body arriving slower than this is cut off, so a trickling client cannot hold a handler thread for long. */
    static final long MIN_BODY_BYTES_PER_SECOND = 1024;

    private final Server server;
    private final ServerConnector connector;

    /** {@code tls} null serves plain HTTP; otherwise TLS that requires a client certificate the context trusts. */
    ApiServer(InetSocketAddress address, Handler handler, SSLContext tls) {
        // The queue of tasks stays Jetty's (unbounded): the connection limit already bounds what can wait in it.
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 4);
        threads.setName("baton-http");
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        http.setMinRequestDataRate(MIN_BODY_BYTES_PER_SECOND);
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        if (tls == null) {
            connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        } else {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setSslContext(tls);
            ssl.setNeedClientAuth(true);
            connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
        }
        connector.setHost(address.getAddress().getHostAddress());
        connector.setPort(address.getPort());
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        connector.setAcceptQueueSize(64);
        server.addConnector(connector);
        server.addBean(new ConnectionLimit(MAX_CONNECTIONS, connector));
        server.setErrorHandler(new JsonErrors());
        server.setHandler(handler);
        server.setStopTimeout(1000);
    }

    /** @throws BindException if the address is taken */
    void start() throws IOException {
        try {
            server.start();
        } catch (IOException e) {
            stopQuietly();
            // Jetty wraps the BindException; callers tell "address in use" from other failures by its type.
            if (e.getCause() instanceof BindException bind) {
                throw bind;
            }
            throw e;
        } catch (Exception e) {
            stopQuietly();
            throw new IOException("cannot start the API server: " + e.getMessage(), e);
        }
    }

    InetSocketAddress address() {
        return new InetSocketAddress(connector.getHost(), connector.getLocalPort());
    }

    @Override
    public void close() {
        stopQuietly();
    }

    private void stopQuietly() {
        try {
            server.stop();
        } catch (Exception e) {
            // Stopping is best effort: the process is usually about to exit.
        }
    }

    /** Errors Jetty answers itself (bad request line, headers too large, ...) as the API's one-line JSON. */
    private static final class JsonErrors extends ErrorHandler {
        @Override
        protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                        Callback callback) {
            String text = message == null || message.isBlank() ? "HTTP " + code : message;
            byte[] body = ("{\"error\":" + JsonCodec.quote(ApiException.printable(text)) + "}")
                    .getBytes(StandardCharsets.UTF_8);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }
}
