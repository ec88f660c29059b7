package dev.echolab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.echolab.server.EchoServers.connect;
import static dev.echolab.server.EchoServers.random;
import static dev.echolab.server.EchoServers.roundTrip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Faults a server survives, through the real launcher {@code bin/server} as a user runs it: a
 * drained stop on every backend, a {@code --processes} child killed once (replaced) and again and
 * again (restarted after a growing back-off), and SIGHUP to a server that has no group to reload.
 * The reload under load is the lab's {@code ReloadUnderLoadIT}: it needs the load generator's jar,
 * built after this module's tests.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FaultsIT {

    /** More than a loopback socket's send and receive buffers hold together, per client. */
    private static final int STREAM_BYTES = 8 << 20;
    private static final int CLIENTS = 3;
    private static final Pattern RESTARTED = Pattern.compile("server process \\d+ (?:restarted: pid|.*; replaced by pid) (\\d+)");
    private static final Pattern BACKOFF = Pattern.compile("restarting it in (\\S+)$");

    /**
     * Clients stream 8 MiB each (their receive buffer 64 KiB, so much of it is in flight) and get
     * SIGTERM halfway: the server stops accepting (a new connection is refused) and echoes every
     * byte, including what the clients send after the signal, until each client half-closes.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Backend.class)
    void sigtermWhileClientsStreamEchoesEveryByteTheySendBeforeTheyClose(Backend backend) throws Exception {
        EchoServers.assumeAvailable(ServerConfig.loopback(backend));
        try (Launched server = Launched.start("--backend", backend.id(), "--port", "0", "--drain-timeout", "60s")) {
            CountDownLatch signalled = new CountDownLatch(1);
            List<Streamer> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(new Streamer(server.port, random(STREAM_BYTES, i), signalled));
            }
            for (Streamer c : clients) {
                c.awaitEchoed(256 * 1024);
            }
            server.signal("TERM");
            server.awaitErr(line -> line.startsWith("draining " + CLIENTS + " connections"));
            assertThrows(ConnectException.class, () -> connect(server.port).close(), "accepting after SIGTERM");
            signalled.countDown(); // the second half goes out after the signal
            for (Streamer c : clients) {
                assertArrayEquals(c.data, c.echo(), backend.id() + ": the echo differs from what was sent");
            }
            assertEquals(0, server.awaitExit(), "exit status after a drained stop");
        }
    }

    /** SIGHUP without {@code --processes}: one line, the open connection is still served, then exit 0 as on SIGTERM. */
    @Test
    void sighupWithoutProcessesSaysSoDrainsAndExitsZero() throws Exception {
        try (Launched server = Launched.start("--port", "0", "--drain-timeout", "60s")) {
            try (Socket s = connect(server.port)) {
                roundTrip(s, "before\n");
                server.signal("HUP");
                server.awaitErr(line -> line.equals("SIGHUP reloads only a --processes group: this server drains and stops as on SIGTERM"));
                roundTrip(s, "after\n");
            }
            assertEquals(0, server.awaitExit());
        }
    }

    /**
     * SIGKILL to one child of two: the parent says which child ended, its status and the pid of
     * its replacement within 2 s, and every connection tried once the parent saw the death is
     * served (the other child, then both).
     */
    @Test
    void aKilledChildIsReplacedWithinTwoSecondsAndThePortServesThroughout() throws Exception {
        try (Launched group = Launched.start("--port", "0", "--processes", "2")) {
            List<ProcessHandle> children = group.process.children().toList();
            assertEquals(2, children.size(), "children: " + children);
            ProcessHandle victim = children.getFirst();
            Prober prober = new Prober(group.port);
            long killed = System.nanoTime();
            victim.destroyForcibly();
            String ended = group.awaitErr(line -> line.contains("(pid " + victim.pid() + ") exited with status 137"));
            long seen = System.nanoTime();
            Matcher replaced = group.replacement(ended);
            long replacedAt = System.nanoTime();
            assertTrue(replacedAt - killed < TimeUnit.SECONDS.toNanos(2),
                    "replaced " + TimeUnit.NANOSECONDS.toMillis(replacedAt - killed) + " ms after the kill");
            long newPid = Long.parseLong(replaced.group(1));
            assertTrue(group.process.children().anyMatch(c -> c.pid() == newPid), "the replacement is a child of the parent");
            awaitListening(group.port, children.get(1).pid(), newPid);
            Thread.sleep(500); // connections into both children again
            List<String> failures = prober.stop(seen);
            assertTrue(prober.served() > 0, "the prober got through");
            assertEquals(List.of(), failures, "connections refused or cut after the parent saw the death");
        }
    }

    /**
     * A child killed again and again as soon as it is restarted: each restart waits twice as long
     * as the one before (announced on stderr), and the parent keeps at least that gap.
     */
    @Test
    void aChildThatKeepsDyingIsRestartedAfterAGrowingBackOff() throws Exception {
        try (Launched group = Launched.start("--port", "0", "--processes", "2")) {
            ProcessHandle victim = group.process.children().toList().getFirst();
            List<Duration> announced = new ArrayList<>();
            List<Duration> gaps = new ArrayList<>();
            for (int kill = 0; kill < 4; kill++) {
                long pid = victim.pid();
                victim.destroyForcibly();
                String ended = group.awaitErr(line -> line.contains("(pid " + pid + ") exited with status 137"));
                long endedAt = System.nanoTime();
                Matcher b = BACKOFF.matcher(ended);
                Matcher restarted = group.replacement(ended);
                gaps.add(Duration.ofNanos(System.nanoTime() - endedAt));
                announced.add(b.find() ? dev.echolab.common.Durations.parse(b.group(1)) : Duration.ZERO);
                victim = ProcessHandle.of(Long.parseLong(restarted.group(1))).orElseThrow();
            }
            // The first kill may find a child older than the quick-exit window; the next three find
            // one killed at once after its start: a crash loop.
            for (int i = 1; i < 4; i++) {
                assertTrue(announced.get(i).compareTo(Duration.ZERO) > 0, "no back-off announced: " + announced);
                assertTrue(gaps.get(i).compareTo(announced.get(i)) >= 0, "restarted before its back-off: " + gaps + " vs " + announced);
            }
            assertEquals(announced.get(1).multipliedBy(2), announced.get(2), "back-offs: " + announced);
            assertEquals(announced.get(2).multipliedBy(2), announced.get(3), "back-offs: " + announced);
        }
    }

    /** Until the port's listeners are the survivor's and the replacement's, one each (at most 30 s). */
    private static void awaitListening(int port, long survivor, long replacement) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - deadline < 0) {
            if (PortOwners.othersListening("127.0.0.1", port, List.of(survivor, replacement)).isEmpty()
                    && PortOwners.othersListening("127.0.0.1", port, List.of(survivor)).size() == 1) {
                return;
            }
            Thread.sleep(50);
        }
        fail("port " + port + " not served by " + survivor + " and " + replacement);
    }

    /** One client that streams {@code data} in two halves (the second once {@code go} opens) and reads the echo to EOF. */
    private static final class Streamer {
        final byte[] data;
        private final byte[] echo;
        private final AtomicLong received = new AtomicLong();
        private final Thread writer;
        private final Thread reader;
        private final List<Throwable> failures = new CopyOnWriteArrayList<>();

        Streamer(int port, byte[] data, CountDownLatch go) throws IOException {
            this.data = data;
            this.echo = new byte[data.length];
            Socket s = new Socket();
            s.setReceiveBufferSize(64 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            writer = Thread.ofPlatform().start(() -> {
                try {
                    OutputStream out = s.getOutputStream(); // closing it would close the socket: the reader closes it
                    int half = data.length / 2;
                    write(out, 0, half);
                    go.await();
                    write(out, half, data.length);
                    s.shutdownOutput();
                } catch (IOException | InterruptedException e) {
                    failures.add(e);
                }
            });
            reader = Thread.ofPlatform().start(() -> {
                try (s; InputStream in = s.getInputStream()) {
                    int at = 0;
                    for (int n; at < echo.length && (n = in.read(echo, at, echo.length - at)) > 0; ) {
                        at += n;
                        received.set(at);
                    }
                    if (in.read() != -1) {
                        failures.add(new AssertionError("more bytes than were sent"));
                    }
                } catch (IOException e) {
                    failures.add(e);
                }
            });
        }

        private void write(OutputStream out, int from, int to) throws IOException {
            for (int off = from; off < to; off += 64 * 1024) {
                out.write(data, off, Math.min(64 * 1024, to - off));
            }
        }

        void awaitEchoed(long bytes) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (received.get() < bytes && System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
            }
            assertTrue(received.get() >= bytes, "echoed " + received.get() + " bytes");
        }

        /** The whole echo, once the server closed (it must close only after the client's half-close). */
        byte[] echo() throws InterruptedException {
            writer.join(60_000);
            reader.join(60_000);
            assertEquals(List.of(), failures);
            assertEquals(data.length, received.get(), "bytes echoed");
            return echo;
        }
    }

    /** Connects, echoes a line and closes, over and over; remembers when each failed attempt began. */
    private static final class Prober {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<long[]> failedAt = new CopyOnWriteArrayList<>();
        private final List<String> why = new CopyOnWriteArrayList<>();
        private final AtomicLong served = new AtomicLong();
        private final Thread thread;

        Prober(int port) {
            thread = Thread.ofPlatform().start(() -> {
                for (int i = 0; running.get() && i < 100_000; i++) {
                    long began = System.nanoTime();
                    try (Socket s = connect(port)) {
                        roundTrip(s, "probe " + i + "\n");
                        served.incrementAndGet();
                    } catch (IOException | RuntimeException | AssertionError e) {
                        failedAt.add(new long[] {began});
                        why.add(e.toString());
                    }
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        /** Stops; the failures of attempts begun at or after {@code since}. */
        List<String> stop(long since) throws InterruptedException {
            running.set(false);
            thread.join(10_000);
            List<String> after = new ArrayList<>();
            for (int i = 0; i < failedAt.size(); i++) {
                if (failedAt.get(i)[0] - since >= 0) {
                    after.add(why.get(i));
                }
            }
            return after;
        }

        long served() {
            return served.get();
        }
    }

    /** {@code bin/server} with the given options, its ready line read, its stdout and stderr kept line by line. */
    private static final class Launched implements AutoCloseable {
        final Process process;
        final int port;
        private final BlockingQueue<String> err = new LinkedBlockingQueue<>();
        private final List<String> errSoFar = new CopyOnWriteArrayList<>();

        private Launched(Process process) throws Exception {
            this.process = process;
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        err.add(line);
                        errSoFar.add(line);
                    }
                } catch (IOException ignored) {
                    // the server is gone
                }
            });
            BufferedReader out = ServerLauncherIT.reader(process);
            BlockingQueue<String> ready = new LinkedBlockingQueue<>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (String line; (line = out.readLine()) != null; ) {
                        if (ReadyLine.parse(line).isPresent()) {
                            ready.add(line);
                        }
                    }
                } catch (IOException ignored) {
                    // the server is gone
                }
            });
            String line = ready.poll(60, TimeUnit.SECONDS);
            if (line == null) {
                fail("no ready line within 60 s; stderr: " + errSoFar);
            }
            this.port = ReadyLine.parse(line).orElseThrow().port();
        }

        static Launched start(String... args) throws Exception {
            return new Launched(ServerLauncherIT.start(args));
        }

        /** Sends {@code signal} (TERM, HUP, ...) to the server through kill(1). */
        void signal(String signal) throws Exception {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start();
            assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal);
        }

        /** The next stderr line that is {@code wanted} (earlier ones are skipped), within 30 s. */
        String awaitErr(Predicate<String> wanted) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() - deadline < 0) {
                String line = err.poll(100, TimeUnit.MILLISECONDS);
                if (line != null && wanted.test(line)) {
                    return line;
                }
            }
            return fail("no such line on stderr within 30 s; stderr: " + errSoFar);
        }

        /** The replacement's pid: on the line that reported the end ({@code replaced by pid N}), or on a later one. */
        Matcher replacement(String ended) throws InterruptedException {
            Matcher m = RESTARTED.matcher(ended);
            if (!m.matches()) {
                m = RESTARTED.matcher(awaitErr(line -> RESTARTED.matcher(line).matches()));
                assertTrue(m.matches());
            }
            return m;
        }

        int awaitExit() throws InterruptedException {
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "still running; stderr: " + errSoFar);
            return process.exitValue();
        }

        @Override
        public void close() throws InterruptedException {
            List<ProcessHandle> left = process.descendants().toList();
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            left.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
