package dev.echolab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.echolab.server.EchoServers.connect;
import static dev.echolab.server.EchoServers.roundTrip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/server --tally}, the lesson on locks, from outside: the count printed at the stop held
 * against the echoes the clients verified (every message counted with a lock, updates lost
 * without one), and a deadlock started on purpose reported by name while the server still stops
 * with exit 0 on SIGTERM.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TallyLauncherIT {

    private static final Path SERVER = Path.of("").toAbsolutePath().getParent().resolve("bin/server");
    private static final int CLIENTS = 8;
    private static final int MESSAGES = 30;

    /** The server's output, read on a thread of its own. */
    private record Server(Process process, int port, List<String> lines) {
        static Server start(String... args) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of(SERVER.toString(), "--port", "0"));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            int port = -1;
            for (String line; port < 0 && (line = out.readLine()) != null; ) {
                lines.add(line);
                port = ReadyLine.parse(line).map(ReadyLine::port).orElse(-1);
            }
            assertTrue(port > 0, "no ready line: " + lines);
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (String line; (line = out.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the server is gone
                }
            });
            return new Server(p, port, lines);
        }

        int stop() throws InterruptedException {
            process.toHandle().destroy(); // SIGTERM
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "no exit 20 s after SIGTERM: " + lines);
            Thread.sleep(200); // the reader's last lines
            return process.exitValue();
        }

        Tally.Line tally() {
            synchronized (lines) {
                return lines.stream().flatMap(l -> Tally.Line.parse(l).stream()).findFirst()
                        .orElseThrow(() -> new AssertionError("no tally line: " + lines));
            }
        }
    }

    /** CLIENTS connections each send MESSAGES verified round trips at once. */
    private static void load(int port) throws Exception {
        List<Thread> clients = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < CLIENTS; c++) {
            int id = c;
            clients.add(Thread.ofPlatform().start(() -> {
                try (Socket s = connect(port)) {
                    for (int n = 0; n < MESSAGES; n++) {
                        roundTrip(s, "Thread-" + id + " say hello " + n + "\n");
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : clients) {
            t.join();
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void withALockEveryMessageIsCountedWithoutOneUpdatesAreLost() throws Exception {
        Server locked = Server.start("--backend", "pool", "--work", "io:2ms", "--tally", "lock");
        load(locked.port());
        assertEquals(0, locked.stop());
        assertEquals(new Tally.Line("lock", CLIENTS * MESSAGES), locked.tally());

        Server unsafe = Server.start("--backend", "blocking", "--work", "io:2ms", "--tally", "unsafe");
        load(unsafe.port());
        assertEquals(0, unsafe.stop());
        Tally.Line line = unsafe.tally();
        assertEquals("unsafe", line.mode());
        // Eight clients whose 2 ms waits overlap: most updates are written over.
        assertTrue(line.counted() < CLIENTS * MESSAGES, line.toString());
    }

    @Test
    void aDeadlockIsReportedWithItsThreadsAndLocksAndTheServerStillStops() throws Exception {
        Server server = Server.start("--backend", "blocking", "--work", "io:50ms", "--tally", "deadlock");
        List<Socket> sockets = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            Socket s = connect(server.port());
            s.getOutputStream().write(("Thread-" + c + " say hello 0\n").getBytes(StandardCharsets.US_ASCII));
            sockets.add(s);
        }
        String report = null;
        for (int i = 0; i < 100 && report == null; i++) {
            Thread.sleep(100);
            synchronized (server.lines()) {
                report = server.lines().stream().filter(l -> l.contains("deadlock:")).findFirst().orElse(null);
            }
        }
        assertTrue(report != null, "no deadlock reported: " + server.lines());
        assertTrue(report.contains("holds lock A and waits for lock B (held by"), report);
        assertTrue(report.contains("holds lock B and waits for lock A (held by"), report);
        assertEquals(0, server.stop());
        for (Socket s : sockets) {
            s.close();
        }
    }
}
