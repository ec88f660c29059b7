package dev.echolab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.echolab.server.EchoServers.awaitStall;
import static dev.echolab.server.EchoServers.connect;
import static dev.echolab.server.EchoServers.random;
import static dev.echolab.server.EchoServers.readExactly;
import static dev.echolab.server.EchoServers.roundTrip;
import static dev.echolab.server.EchoServers.started;
import static dev.echolab.server.EchoServers.writeWithoutReading;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The uring backend's idle sweep must not close a connection the server itself stopped reading.
 * Over {@code --max-buffered} the loop parks connections in its waiting list and submits no recv
 * for them; their clients may be sending all along, so the silence is the server's, not theirs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UringStarvedConnectionTest {

    private static final int MiB = 1024 * 1024;
    private static final Duration IDLE = Duration.ofMillis(400);
    /** Far below what one client that does not read makes the server hold (up to 64 KiB). */
    private static final long BUDGET = 16 * 1024;

    @Test
    void aConnectionWaitingForTheBudgetIsNotClosedAsIdle() throws Exception {
        ServerConfig config = ServerConfig.loopback(Backend.URING).withLimits(0, IDLE, BUDGET);
        byte[] data = random(32 * MiB, 23);
        try (EchoServer server = started(config); Socket hog = connect(server)) {
            // The hog writes and reads nothing: once the kernel's socket buffers are full the
            // server holds its unsent echo, over the budget, so the loop reads no connection that
            // asks again.
            AtomicLong written = new AtomicLong();
            Thread writer = writeWithoutReading(hog, data, written);
            long stalledAt = awaitStall(written, 1_000);
            assertTrue(stalledAt < data.length, "the hog's writes never stalled: " + stalledAt + " bytes");

            // Connected now (earlier, it would be idle, rightly closed, while the stall is awaited).
            // A new connection's first recv is submitted anyway, so this message is echoed; after
            // it the connection waits for the budget with nothing queued, and its next message
            // stays unread in the kernel.
            try (Socket starved = connect(server)) {
                roundTrip(starved, "ping\n");
                starved.getOutputStream().write("more\n".getBytes());
                // Four idle timeouts (400 ms, swept every 100 ms) while starved: without the fix the
                // sweep closed it within the first 500 ms. With it, a slow machine cannot fail this
                // check (there is no deadline to miss); it could only make it weaker.
                Thread.sleep(4 * IDLE.toMillis());
                assertEquals(0, server.stats().idleClosed(), "closed as idle while the server did not read it");

                // The hog reads: the budget comes back, the starved connection is read again.
                CompletableFuture<byte[]> hogEcho = new CompletableFuture<>();
                Thread.ofPlatform().start(() -> {
                    try {
                        hogEcho.complete(readExactly(hog.getInputStream(), data.length));
                    } catch (Exception e) {
                        hogEcho.completeExceptionally(e);
                    }
                });
                assertArrayEquals("more\n".getBytes(), readExactly(starved.getInputStream(), 5));
                assertArrayEquals(data, hogEcho.get(30, TimeUnit.SECONDS));
                writer.join(10_000);
            }
        }
    }
}
