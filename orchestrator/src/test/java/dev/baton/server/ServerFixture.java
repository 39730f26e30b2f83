package dev.baton.server;

import dev.baton.api.BatonServer;
import dev.baton.fleet.LocalFleet;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A 3-host local fleet on 1.0.0 with a Baton server on its Consul, for the API and CLI tests: register it
 * with {@code @RegisterExtension static final ServerFixture fixture = new ServerFixture();}. It starts before
 * the class's tests and stops after them, also when they fail.
 */
public final class ServerFixture implements BeforeAllCallback, AfterAllCallback {
    private LocalFleet fleet;
    private ServerHarness harness;
    private BatonServer server;
    private Api api;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        fleet = LocalFleet.start("web", 3, "1.0.0");
        harness = new ServerHarness(fleet);
        server = harness.start();
        api = new Api(server.url());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) server.close();
        if (fleet != null) fleet.close();
    }

    public LocalFleet fleet() {
        return fleet;
    }

    public ServerHarness harness() {
        return harness;
    }

    public BatonServer server() {
        return server;
    }

    public Api api() {
        return api;
    }
}
