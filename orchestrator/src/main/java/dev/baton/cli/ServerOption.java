package dev.baton.cli;

import picocli.CommandLine.Option;

/** {@code --server URL} for the commands that talk to a Baton server. */
final class ServerOption {
    @Option(names = "--server", paramLabel = "URL", description = "the Baton server (default: $BATON_SERVER); "
            + "the API token is read from $BATON_TOKEN")
    String server;

    ServerClient client() {
        return ServerClient.connect(server);
    }
}
