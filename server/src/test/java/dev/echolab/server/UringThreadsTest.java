package dev.echolab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static dev.echolab.server.EchoServers.connect;
import static dev.echolab.server.EchoServers.echoConcurrently;
import static dev.echolab.server.EchoServers.oddSizes;
import static dev.echolab.server.EchoServers.random;
import static dev.echolab.server.EchoServers.roundTrip;
import static dev.echolab.server.EchoServers.started;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The uring backend serves on its one thread: under load the kernel runs no io-wq worker for it
 * ({@code iou-wrk-TID}, a kernel thread in the process that io_uring starts for a request it cannot
 * complete or arm a poll for, or one flagged to go async). Every request the backend makes on a
 * socket (accept, recv, send) or on its eventfd can wait on a poll instead, so its thread count
 * stays what it was before the load: one {@code uring-loop}, no {@code iou-*}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UringThreadsTest {

    private static final ServerConfig URING = ServerConfig.loopback(Backend.URING);
    private static final Path TASKS = Path.of("/proc/self/task");

    @Test
    void noIoWorkerThreadsUnderLoad() throws Exception {
        assumeTrue(Files.isDirectory(TASKS), "needs Linux's /proc");
        try (EchoServer server = started(URING)) {
            Map<String, Integer> before = ioThreads();
            assertEquals(Map.of("uring-loop", 1), before, "the backend's threads before any load");
            AtomicReference<Throwable> failed = new AtomicReference<>();
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int seed = i;
                // Small round trips, then a bulk echo that fills the socket buffers both ways, so
                // sends and receives have to wait on the kernel: the requests io-wq would take.
                clients.add(Thread.ofPlatform().name("client-" + i).start(() -> {
                    try (Socket s = connect(server)) {
                        for (int n = 0; n < 300; n++) {
                            roundTrip(s, "hello " + n + "\n");
                        }
                        byte[] data = random(2 * 1024 * 1024, seed);
                        assertArrayEquals(data, echoConcurrently(s, data, oddSizes(), true));
                    } catch (Throwable e) {
                        failed.compareAndSet(null, e);
                    }
                }));
            }
            List<Map<String, Integer>> seen = new ArrayList<>();
            while (clients.stream().anyMatch(Thread::isAlive)) {
                seen.add(ioThreads());
                Thread.sleep(5);
            }
            for (Thread t : clients) {
                t.join();
            }
            assertNull(failed.get(), () -> "a client failed: " + failed.get());
            assertTrue(seen.size() >= 3, "the threads were looked at under load (" + seen.size() + " times)");
            for (Map<String, Integer> now : seen) {
                assertEquals(before, now, "the backend's threads under load, by name (io-wq workers are iou-wrk-TID)");
            }
        }
    }

    /** This process's threads named uring-loop or iou-* (io_uring's kernel threads), counted by name less its TID. */
    private static Map<String, Integer> ioThreads() throws IOException {
        Map<String, Integer> by = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(TASKS)) {
            for (Path t : tasks.toList()) {
                String comm;
                try {
                    comm = Files.readString(t.resolve("comm")).strip();
                } catch (IOException ended) {
                    continue; // a thread that ended while listed
                }
                if (comm.equals("uring-loop") || comm.startsWith("iou-")) {
                    by.merge(comm.replaceAll("-\\d+$", ""), 1, Integer::sum);
                }
            }
        }
        return by;
    }
}
