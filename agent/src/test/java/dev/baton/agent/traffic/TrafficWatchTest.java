package dev.baton.agent.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real ss against a listener of the test itself. */
class TrafficWatchTest {

    private ServerSocket listener;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private TrafficWatch watch;

    @BeforeEach
    void listen() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!closing.get()) {
                try {
                    accepted.add(listener.accept());
                } catch (IOException e) {
                    return;
                }
            }
        }, "test-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        watch = new TrafficWatch(listener.getLocalPort());
    }

    @AfterEach
    void close() throws IOException {
        closing.set(true);
        watch.close();
        listener.close();
        for (Socket socket : accepted) {
            socket.close();
        }
    }

    @Test
    void anIdlePortIsQuietAfterTheQuietPeriod() throws Exception {
        try (Socket idle = connect("127.0.0.1")) {
            TrafficWatch.Result result = watch.awaitQuiet(Duration.ofMillis(200), Duration.ofSeconds(5), Set.of());

            assertThat(result.quiet()).isTrue();
            assertThat(result.waitedMs()).isBetween(200L, 1_000L);
            assertThat(result.quietForMs()).isGreaterThanOrEqualTo(200);
            assertThat(result.openConnections()).isEqualTo(1);
            assertThat(result.samples()).isGreaterThanOrEqualTo(3);
            assertThat(result.port()).isEqualTo(listener.getLocalPort());
        }
    }

    @Test
    void withAnAddressOnlyThatAddressCountsNotAnotherAppOnTheSamePort() throws Exception {
        int port = listener.getLocalPort();
        try (ServerSocket neighbour = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.31"));
             TrafficWatch mine = new TrafficWatch("127.0.0.32", port, "ss");
             TrafficWatch theirs = new TrafficWatch("127.0.0.31", port, "ss")) {
            List<Socket> sockets = new ArrayList<>();
            Thread busy = new Thread(() -> {
                for (int i = 0; i < 40 && !closing.get(); i++) {
                    try {
                        sockets.add(new Socket(neighbour.getInetAddress(), port));
                        Thread.sleep(50);
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            });
            busy.start();
            try {
                assertThat(mine.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(1), Set.of()).quiet()).isTrue();
                assertThat(theirs.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(1), Set.of()).quiet()).isFalse();
            } finally {
                busy.interrupt();
                busy.join(2000);
                for (Socket socket : sockets) socket.close();
            }
        }
    }

    @Test
    void newConnectionsKeepItBusyUnlessTheirAddressIsIgnored() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        FutureTask<Integer> connects = new FutureTask<>(() -> {
            int count = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (!stop.get() && System.nanoTime() < end) {
                try (Socket socket = connect("127.0.0.9")) {
                    socket.getOutputStream().write('x');
                    count++;
                    Thread.sleep(50);
                } catch (IOException | InterruptedException e) {
                    return -1;
                }
            }
            return count;
        });
        new Thread(connects, "test-connects").start();
        try {
            TrafficWatch.Result busy = watch.awaitQuiet(Duration.ofMillis(200), Duration.ofMillis(800), Set.of());
            TrafficWatch.Result ignored = watch.awaitQuiet(Duration.ofMillis(200), Duration.ofMillis(1_500),
                    Set.of(IpLiteral.parse("127.0.0.9").orElseThrow()));

            assertThat(busy.quiet()).isFalse();
            assertThat(busy.waitedMs()).isBetween(800L, 1_500L);
            assertThat(busy.quietForMs()).isLessThan(200);
            assertThat(ignored.quiet()).isTrue();
            assertThat(ignored.openConnections()).isZero();
        } finally {
            stop.set(true);
        }
        assertThat(connects.get(10, TimeUnit.SECONDS)).isGreaterThan(5);
    }

    @Test
    void concurrentWatchesAnswerIndependently() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<TrafficWatch.Result>> watches = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                watches.add(threads.submit(() -> watch.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5), Set.of())));
            }

            for (Future<TrafficWatch.Result> result : watches) {
                assertThat(result.get(10, TimeUnit.SECONDS).quiet()).isTrue();
                assertThat(result.get().waitedMs()).isBetween(300L, 1_500L);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void missingSsIsAClearError() {
        TrafficWatch noSs = new TrafficWatch(listener.getLocalPort(), "/nonexistent/ss");

        assertThatThrownBy(() -> noSs.awaitQuiet(Duration.ofMillis(100), Duration.ofSeconds(1), Set.of()))
                .isInstanceOf(TrafficWatchException.class)
                .hasMessageStartingWith("cannot run '/nonexistent/ss'")
                .hasMessageContaining("install the Debian package iproute2")
                .hasMessageNotContaining("\n");
        noSs.close();
    }

    @Test
    void aFailingSsIsAnError(@TempDir Path dir) throws Exception {
        Path fake = script(dir, "echo 'ss: wrong state name: connected' >&2; exit 255");
        TrafficWatch failing = new TrafficWatch(listener.getLocalPort(), fake.toString());

        assertThatThrownBy(() -> failing.awaitQuiet(Duration.ofMillis(100), Duration.ofSeconds(1), Set.of()))
                .isInstanceOf(TrafficWatchException.class)
                .hasMessage(fake + " failed with exit code 255: ss: wrong state name: connected");
        failing.close();
    }

    @Test
    void aHangingSsDoesNotOutliveTheTimeout(@TempDir Path dir) throws Exception {
        TrafficWatch hanging = new TrafficWatch(listener.getLocalPort(), script(dir, "exec sleep 30").toString());
        long start = System.nanoTime();

        TrafficWatch.Result result = hanging.awaitQuiet(Duration.ofMillis(100), Duration.ofMillis(300), Set.of());

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2_000);
        assertThat(result.quiet()).isFalse();
        assertThat(result.samples()).isZero();
        hanging.close();
    }

    private static Path script(Path dir, String body) throws IOException {
        Path script = dir.resolve("fake-ss");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    private Socket connect(String source) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(source, 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()), 2_000);
        return socket;
    }
}
