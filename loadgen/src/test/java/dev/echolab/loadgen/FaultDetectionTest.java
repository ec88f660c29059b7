package dev.echolab.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every fault of a bad server is detected, counted under its kind, and makes the exit status 1, for every driver. */
class FaultDetectionTest {

    private static Path json() throws IOException {
        return Files.createTempFile("loadgen", ".json");
    }

    @ParameterizedTest
    @EnumSource(DriverKind.class)
    @Timeout(20)
    void detectsAndCountsCorruptedEchoes(DriverKind driver) throws Exception {
        Path json = json();
        try (FaultyEchoServer server = new FaultyEchoServer(FaultyEchoServer.Fault.CORRUPT, 0, 0)) {
            Loadgen r = Loadgen.run("--port", Integer.toString(server.port()), "--connections", "5", "--messages", "10",
                    "--driver", driver.id(), "--json", json.toString());
            assertEquals(1, r.exit(), r::toString);
            JsonNode doc = Loadgen.json(json);
            assertEquals(5, Loadgen.number(doc, "/mismatches"), doc::toString);
            // Byte 30 of each stream is byte 9 of message 2 ("Thread-3 say hello 2\n"): 's' came back as 'S'.
            assertTrue(r.err().contains("mismatch on connection"), r::toString);
            assertTrue(r.err().contains("message 2, byte 9: expected 's' (0x73), got 'S' (0x53)"), r::toString);
        } finally {
            Files.deleteIfExists(json);
        }
    }

    @ParameterizedTest
    @EnumSource(DriverKind.class)
    @Timeout(20)
    void countsConnectionsClosedEarly(DriverKind driver) throws Exception {
        Path json = json();
        try (FaultyEchoServer server = new FaultyEchoServer(FaultyEchoServer.Fault.CLOSE_AFTER, 3, 0)) {
            Loadgen r = Loadgen.run("--port", Integer.toString(server.port()), "--connections", "4", "--messages", "10",
                    "--driver", driver.id(), "--json", json.toString());
            assertEquals(1, r.exit(), r::toString);
            JsonNode doc = Loadgen.json(json);
            assertEquals(4, Loadgen.number(doc, "/errors_by_kind/closed_early"), doc::toString);
            assertEquals(12, Loadgen.number(doc, "/verified"), doc::toString);
            assertTrue(r.err().contains("closed early"), r::toString);
        } finally {
            Files.deleteIfExists(json);
        }
    }

    @ParameterizedTest
    @EnumSource(DriverKind.class)
    @Timeout(20)
    void countsTimeoutsAndStillEndsOnTime(DriverKind driver) throws Exception {
        Path json = json();
        try (FaultyEchoServer server = new FaultyEchoServer(FaultyEchoServer.Fault.STOP_REPLYING_AFTER, 5, 0)) {
            Loadgen r = Loadgen.run("--port", Integer.toString(server.port()), "--connections", "4", "--duration", "2s",
                    "--warmup", "0s", "--timeout", "500ms", "--driver", driver.id(), "--json", json.toString());
            assertEquals(1, r.exit(), r::toString);
            // At the latest --duration plus --timeout (2.5 s), plus 2 s to spare (every connection
            // times out, so the run ends early).
            assertTrue(r.millis() < 4_500, r::toString);
            JsonNode doc = Loadgen.json(json);
            assertEquals(4, Loadgen.number(doc, "/errors_by_kind/timeout"), doc::toString);
            assertTrue(r.err().contains("timeout: no reply to message 6"), r::toString);
        } finally {
            Files.deleteIfExists(json);
        }
    }

    /**
     * Every connection got its replies in the warm-up and none in the measurement: none was served
     * in the measured interval, and the fairness line must not say otherwise; with a server that
     * never replies at all, the line names them as starved.
     */
    @ParameterizedTest
    @EnumSource(value = DriverKind.class, names = {"PLATFORM", "NIO"})
    @Timeout(20)
    void aConnectionWithoutRepliesInTheMeasurementIsNotServed(DriverKind driver) throws Exception {
        Path json = json();
        try (FaultyEchoServer server = new FaultyEchoServer(FaultyEchoServer.Fault.STOP_REPLYING_AFTER, 5, 0)) {
            Loadgen r = Loadgen.run("--port", Integer.toString(server.port()), "--connections", "3", "--duration", "1s",
                    "--warmup", "500ms", "--timeout", "300ms", "--driver", driver.id(), "--json", json.toString());
            assertEquals(1, r.exit(), r::toString);
            assertFalse(r.out().contains("every connection got replies"), r::toString);
            assertTrue(r.out().contains("3 of 3 connections completed no message in the measurement"), r::toString);
            assertEquals(3, Loadgen.number(Loadgen.json(json), "/fairness/unserved"), r::toString);
        } finally {
            Files.deleteIfExists(json);
        }
        try (ServerSocket mute = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
             Closeable reader = reader(mute)) {
            Loadgen r = Loadgen.run("--port", Integer.toString(mute.getLocalPort()), "--connections", "3", "--duration",
                    "500ms", "--warmup", "0s", "--timeout", "300ms", "--driver", driver.id());
            assertEquals(1, r.exit(), r::toString);
            assertFalse(r.out().contains("every connection got replies"), r::toString);
            assertTrue(r.out().contains("3 connections got no reply"), r::toString);
        }
    }

    /** Accepts on {@code server} and reads every connection to its end without writing a byte. */
    private static Closeable reader(ServerSocket server) {
        Thread t = Thread.ofPlatform().daemon(true).start(() -> {
            try {
                while (true) {
                    Socket s = server.accept();
                    Thread.ofPlatform().daemon(true).start(() -> {
                        try (s) {
                            s.getInputStream().transferTo(OutputStream.nullOutputStream());
                        } catch (IOException gone) {
                            // the load generator closed it
                        }
                    });
                }
            } catch (IOException closed) {
                // the test closed the listening socket
            }
        });
        return t::interrupt;
    }

    /**
     * The open loop leaves gaps with nothing in flight (here 100 ms per connection, two
     * housekeeping looks), and the nio driver's housekeeping drops such a connection from what it
     * looks at until it sends again: the reply that never comes must still time out after
     * --timeout, not only when the run is over ("before the run ended").
     */
    @ParameterizedTest
    @EnumSource(DriverKind.class)
    @Timeout(20)
    void countsTimeoutsInTheOpenLoop(DriverKind driver) throws Exception {
        Path json = json();
        try (FaultyEchoServer server = new FaultyEchoServer(FaultyEchoServer.Fault.STOP_REPLYING_AFTER, 5, 0)) {
            Loadgen r = Loadgen.run("--port", Integer.toString(server.port()), "--connections", "4", "--rate", "40",
                    "--duration", "3s", "--warmup", "0s", "--timeout", "500ms", "--driver", driver.id(),
                    "--json", json.toString());
            assertEquals(1, r.exit(), r::toString);
            assertEquals(4, Loadgen.number(Loadgen.json(json), "/errors_by_kind/timeout"), r::toString);
            assertTrue(r.err().contains("timeout: no reply to message 6 within 500ms"), r::toString);
            assertFalse(r.err().contains("before the run ended"), r::toString);
        } finally {
            Files.deleteIfExists(json);
        }
    }

    @ParameterizedTest
    @EnumSource(DriverKind.class)
    @Timeout(20)
    void repliesMissingAtTheEndCountAsTimeouts(DriverKind driver) throws Exception {
        Path json = json();
        try (FaultyEchoServer server = new FaultyEchoServer(FaultyEchoServer.Fault.STOP_REPLYING_AFTER, 5, 0)) {
            Loadgen r = Loadgen.run("--port", Integer.toString(server.port()), "--connections", "3", "--duration", "1s",
                    "--warmup", "0s", "--timeout", "1s", "--driver", driver.id(), "--json", json.toString());
            assertEquals(1, r.exit(), r::toString);
            // On time: the duration, then at most --timeout for the replies in flight (2 s), plus
            // 2.5 s to spare.
            assertTrue(r.millis() < 4_500, r::toString);
            assertEquals(3, Loadgen.number(Loadgen.json(json), "/errors_by_kind/timeout"));
        } finally {
            Files.deleteIfExists(json);
        }
    }

    /**
     * A server that never accepts, with a backlog of 1: the kernel completes a couple of handshakes
     * into the full accept queue (those connections then get no reply) and drops the other SYNs
     * (those connects time out). Either way: timeouts, counted, and the run ends on time.
     */
    @ParameterizedTest
    @EnumSource(DriverKind.class)
    @Timeout(20)
    void countsConnectTimeoutsWhenTheServerNeverAccepts(DriverKind driver) throws Exception {
        Path json = json();
        try (ServerSocket deaf = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Loadgen r = Loadgen.run("--port", Integer.toString(deaf.getLocalPort()), "--connections", "6",
                    "--messages", "1", "--connect-timeout", "500ms", "--timeout", "500ms", "--driver", driver.id(),
                    "--json", json.toString());
            assertEquals(1, r.exit(), r::toString);
            // --connect-timeout plus --timeout is 1 s, plus 4 s to spare.
            assertTrue(r.millis() < 5_000, r::toString);
            JsonNode doc = Loadgen.json(json);
            assertEquals(6, Loadgen.number(doc, "/errors_by_kind/timeout"), doc::toString);
            assertEquals(0, Loadgen.number(doc, "/errors_by_kind/refused"), doc::toString);
            assertTrue(r.err().contains("connect timeout: no connection to 127.0.0.1:" + deaf.getLocalPort()), r::toString);
        } finally {
            Files.deleteIfExists(json);
        }
    }
}
