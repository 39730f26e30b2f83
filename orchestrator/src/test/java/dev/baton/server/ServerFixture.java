package dev.baton.server;

import dev.baton.api.BatonServer;
import dev.baton.fleet.LocalFleet;

/** A 3-host local fleet on 1.0.0 with a Baton server on its Consul, for the API, CLI and server tests. */
public record ServerFixture(LocalFleet fleet, ServerHarness harness, BatonServer server, Api api) implements AutoCloseable {

    public static ServerFixture start() throws Exception {
        LocalFleet fleet = LocalFleet.start("web", 3, "1.0.0");
        try {
            ServerHarness harness = new ServerHarness(fleet);
            BatonServer server = harness.start();
            return new ServerFixture(fleet, harness, server, new Api(server.url()));
        } catch (Exception | Error e) {
            fleet.close();
            throw e;
        }
    }

    @Override
    public void close() {
        server.close();
        fleet.close();
    }
}
