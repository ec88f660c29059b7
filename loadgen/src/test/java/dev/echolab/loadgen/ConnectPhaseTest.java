package dev.echolab.loadgen;

import dev.echolab.loadgen.driver.NioConnection;
import dev.echolab.loadgen.driver.NioConnector;
import dev.echolab.loadgen.driver.NioWorker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The connect phase ends at its limit with every connection accounted for: up, or an error. */
class ConnectPhaseTest {

    /**
     * A listener that never accepts, with a backlog of 1: once its queue is full the kernel drops
     * every further SYN, so those connects hang (retransmitting) far past the deadline here. 300
     * connections are more than {@link NioConnector#MAX_CONNECTING}, so some are never even started.
     * Before the deadline existed, the connector waited out the 60 s connect timeout of each batch.
     */
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void connectionsNotUpAtTheDeadlineCountAsTimeouts() throws IOException {
        int n = 300;
        Duration second = Duration.ofSeconds(1);
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Selector selector = Selector.open()) {
            Settings s = Settings.builder().port(full.getLocalPort()).connections(n).duration(second).warmup(Duration.ZERO)
                    .driver(DriverKind.NIO).connectTimeout(Duration.ofSeconds(60)).timeout(second).build();
            Run run = new Run(s);
            NioConnection[] connections = new NioConnection[n];
            for (int i = 0; i < n; i++) {
                connections[i] = new NioConnection(i, run);
            }
            try {
                int up = new NioConnector(run, selector, connections)
                        .connectAll(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500), "the test's 500ms");
                assertEquals(up, run.live());
                assertTrue(up < n - NioConnector.MAX_CONNECTING, up + " up: the listener's full queue should hold most back");
                assertEquals(n - up, run.errors(ErrorKind.TIMEOUT), "every connection not up is a timeout");
                assertEquals(n - up, run.errorTotal());
                assertEquals("connect timeout: not connected to 127.0.0.1:" + full.getLocalPort()
                                + " when the connect phase reached its limit (the test's 500ms)",
                        run.firstError(ErrorKind.TIMEOUT));
                for (NioConnection c : connections) {
                    assertTrue(c.state == NioConnection.State.OPEN || c.state == NioConnection.State.CLOSED,
                            "connection " + c.id + " left " + c.state);
                }
            } finally {
                for (NioConnection c : connections) {
                    NioWorker.closeChannel(c);
                }
            }
        }
    }
}
