package dev.echolab.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import dev.echolab.server.Backend;
import dev.echolab.server.EchoServer;
import dev.echolab.server.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --reconnect-every}: each connection closes and reopens its socket after every N verified
 * messages, on every driver, with the counts of a run without it and every socket seen by the server.
 */
class ReconnectTest {

    @TempDir
    Path dir;
    private EchoServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = EchoServer.create(ServerConfig.loopback(Backend.NIO));
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    /** 4 connections of 20 messages, a new socket every 5: 4 sockets each, 3 of them opened in the measurement. */
    private JsonNode run(DriverKind driver, String... more) throws IOException {
        Path json = dir.resolve("run.json");
        List<String> args = new ArrayList<>(List.of("--port", Integer.toString(server.localAddress().getPort()),
                "--messages", "20", "--reconnect-every", "5", "--connections", "4", "--driver", driver.id(),
                "--json", json.toString()));
        args.addAll(List.of(more));
        Loadgen r = Loadgen.run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r::toString);
        JsonNode doc = Loadgen.json(json);
        assertEquals(80, Loadgen.number(doc, "/verified"), doc::toString);
        assertEquals(80, Loadgen.number(doc, "/msgs"), doc::toString);
        assertEquals(20, Loadgen.number(doc, "/fairness/min_msgs"), doc::toString);
        assertEquals(20, Loadgen.number(doc, "/fairness/max_msgs"), doc::toString);
        assertEquals(0, Loadgen.number(doc, "/errors") + Loadgen.number(doc, "/mismatches"), doc::toString);
        assertEquals(4 * 4, server.stats().accepted(), doc::toString);
        assertEquals(4 * 3, Loadgen.number(doc, "/connects"), doc::toString);
        assertTrue(Loadgen.number(doc, "/connects_per_s") > 0, doc::toString);
        assertEquals(5, Loadgen.number(doc, "/settings/reconnect_every"), doc::toString);
        assertTrue(r.out().contains("12 connections opened in the measurement"), r::toString);
        return doc;
    }

    @ParameterizedTest
    @EnumSource(DriverKind.class)
    @Timeout(30)
    void closedLoopReconnectsEveryNMessagesWithTheCountsRight(DriverKind driver) throws IOException {
        run(driver);
    }

    @ParameterizedTest
    @EnumSource(DriverKind.class)
    @Timeout(30)
    void openLoopReconnectsEveryNMessagesWithTheCountsRight(DriverKind driver) throws IOException {
        JsonNode doc = run(driver, "--rate", "400");
        assertEquals(400, Loadgen.number(doc, "/settings/rate"), doc::toString);
        // From the intended send time, never shorter than from the actual one.
        assertTrue(Loadgen.number(doc, "/corrected/max_us") >= Loadgen.number(doc, "/max_us"), doc::toString);
    }

    /** A reconnect the server refuses is a connect error that ends that connection, its messages so far counted. */
    @ParameterizedTest
    @EnumSource(DriverKind.class)
    @Timeout(30)
    void aRefusedReconnectIsAConnectError(DriverKind driver) throws IOException {
        try (FaultyEchoServer faulty = new FaultyEchoServer(FaultyEchoServer.Fault.ACCEPT_ONLY, 4, 0)) {
            Path json = dir.resolve("refused.json");
            Loadgen r = Loadgen.run("--port", Integer.toString(faulty.port()), "--messages", "20", "--reconnect-every", "5",
                    "--connections", "4", "--driver", driver.id(), "--json", json.toString());
            assertEquals(1, r.exit(), r::toString);
            JsonNode doc = Loadgen.json(json);
            assertEquals(4 * 5, Loadgen.number(doc, "/verified"), doc::toString);
            assertEquals(4, Loadgen.number(doc, "/errors_by_kind/refused"), doc::toString);
            assertEquals(4, Loadgen.number(doc, "/errors"), doc::toString);
            assertEquals(0, Loadgen.number(doc, "/connects"), doc::toString);
        }
    }
}
