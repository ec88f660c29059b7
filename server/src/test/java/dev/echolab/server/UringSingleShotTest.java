package dev.echolab.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.util.concurrent.TimeUnit;

import static dev.echolab.server.EchoServers.assertSlowReaderHeldWithinPromise;
import static dev.echolab.server.EchoServers.connect;
import static dev.echolab.server.EchoServers.echoConcurrently;
import static dev.echolab.server.EchoServers.oddSizes;
import static dev.echolab.server.EchoServers.random;
import static dev.echolab.server.EchoServers.started;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The uring backend's fallback for kernels without multishot receive (before Linux 6.0): one recv
 * submission per arrival, submitted again after each completion. This kernel has multishot, so
 * the fallback is forced ({@code -Decholab.uring.singleshot=true}, also how docs/performance.md
 * measures what multishot saves) and the hard parts of the contract are checked on it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UringSingleShotTest {

    private static final int MiB = 1024 * 1024;
    private static final ServerConfig URING = ServerConfig.loopback(Backend.URING);

    @BeforeEach
    void singleShot() {
        System.setProperty("echolab.uring.singleshot", "true");
    }

    @AfterEach
    void multishotAgain() {
        System.clearProperty("echolab.uring.singleshot");
    }

    @Test
    void echoesEveryByteAcrossPartialReadsThenClosesAfterHalfClose() throws Exception {
        byte[] data = random(8 * MiB, 21);
        try (EchoServer server = started(URING); Socket s = connect(server)) {
            assertArrayEquals(data, echoConcurrently(s, data, oddSizes(), true));
        }
    }

    @Test
    void aClientThatDoesNotReadIsHeldToThePromisedUnsentBytesAndLosesNothing() throws Exception {
        try (EchoServer server = started(URING); Socket s = connect(server)) {
            assertSlowReaderHeldWithinPromise(server, URING, s, random(64 * MiB, 22), 0);
        }
    }
}
