package dev.echolab.server;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.echolab.server.EchoContractTest.connect;
import static dev.echolab.server.EchoContractTest.roundTrip;
import static dev.echolab.server.EchoContractTest.started;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The nio lesson claims no allocation per message on the reactor threads (shared read buffer,
 * allocation-free {@code select(Consumer)}, a queue only per connection). Checked with the JVM's
 * per-thread allocation counter, single- and multi-reactor.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NioAllocationTest {

    private static final int CLIENTS = 4;
    private static final int MESSAGES = 5_000;

    @ParameterizedTest(name = "nio --threads {0}")
    @ValueSource(ints = {1, 2})
    void reactorsAllocateNothingPerMessage(int threads) throws Exception {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Socket> clients = new ArrayList<>();
        try (EchoServer server = started(ServerConfig.loopback(Backend.NIO).withThreads(threads))) {
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(connect(server));
            }
            exchange(clients, 1_000); // warm up: class loading, JIT, first partial-write buffers
            long before = allocatedByReactors(mx);
            exchange(clients, MESSAGES);
            long perMessage = (allocatedByReactors(mx) - before) / ((long) CLIENTS * MESSAGES);
            System.out.println("nio --threads " + threads + ": " + perMessage + " bytes allocated per message by the reactors");
            assertTrue(perMessage < 8, "reactor threads allocated " + perMessage + " bytes per message");
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
    }

    private static void exchange(List<Socket> clients, int messages) throws Exception {
        for (int n = 0; n < messages; n++) {
            for (Socket s : clients) {
                roundTrip(s, "say hello\n");
            }
        }
    }

    private static long allocatedByReactors(com.sun.management.ThreadMXBean mx) {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("nio-")) {
                sum += mx.getThreadAllocatedBytes(t.threadId());
            }
        }
        return sum;
    }
}
