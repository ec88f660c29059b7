package dev.echolab.loadgen;

import dev.echolab.server.Backend;
import dev.echolab.server.EchoServer;
import dev.echolab.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The nio driver's hot path allocates nothing per message: over a second of steady load, the
 * selector thread's allocated bytes (the JVM's per-thread allocation counter,
 * {@code com.sun.management.ThreadMXBean}) stay far below one object per echoed message.
 */
class NioAllocationTest {

    private static final long ALLOWANCE = 128 * 1024;

    @Test
    @Timeout(30)
    void selectorThreadAllocatesNothingPerMessage() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (EchoServer server = EchoServer.create(ServerConfig.loopback(Backend.NIO))) {
            server.start();
            CompletableFuture<Loadgen> run = CompletableFuture.supplyAsync(() -> Loadgen.run(
                    "--port", Integer.toString(server.localAddress().getPort()), "--connections", "50",
                    "--duration", "3s", "--warmup", "1s", "--driver", "nio"));
            Thread.sleep(1500);
            Thread selector = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("loadgen-selector-0")).findFirst().orElseThrow();
            long bytes0 = threads.getThreadAllocatedBytes(selector.threadId());
            Thread.sleep(1000);
            long bytes = threads.getThreadAllocatedBytes(selector.threadId()) - bytes0;
            Loadgen r = run.get();
            assertEquals(0, r.exit(), r::toString);
            // The sampled second lies inside the measurement: its echoes are about one second's worth.
            long echoes = (long) messagesPerSecond(r);
            // One object per message would be at least 16 bytes each; the allowance covers a rare
            // resize of a histogram's counts when latency reaches a new high. It can tell one object
            // per message from the allowance only over more than ALLOWANCE / 14 echoes (then 16 bytes
            // each exceed 2 + ALLOWANCE / echoes): that is the floor, not a speed.
            assertTrue(echoes > ALLOWANCE / 14, "too few echoes to judge: " + echoes);
            assertTrue(bytes < 2 * echoes + ALLOWANCE, bytes + " bytes allocated for " + echoes + " echoes");
        }
    }

    /** The report's {@code Messages/sec:} figure. */
    private static double messagesPerSecond(Loadgen r) {
        String line = r.out().lines().filter(l -> l.startsWith("Messages/sec:")).findFirst().orElseThrow();
        return Double.parseDouble(line.substring("Messages/sec:".length()).strip());
    }
}
