package dev.echolab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.echolab.server.EchoServers.connect;
import static dev.echolab.server.EchoServers.roundTrip;
import static dev.echolab.server.EchoServers.started;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code nio --threads N}: an acceptor plus N reactors, which all end on close. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NioReactorsTest {

    @Test
    void threadsThreeStartsAnAcceptorAndThreeReactorsAndStopsThemAll() throws Exception {
        List<Socket> clients = new ArrayList<>();
        try (EchoServer server = started(ServerConfig.loopback(Backend.NIO).withThreads(3))) {
            assertEquals("reactors=3", server.details());
            for (int i = 0; i < 6; i++) {
                Socket s = connect(server);
                clients.add(s);
                roundTrip(s, "hello " + i + "\n");
            }
            assertEquals(List.of("nio-acceptor", "nio-reactor-1", "nio-reactor-2", "nio-reactor-3"), nioThreads());
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
        assertTrue(nioThreads().isEmpty(), "threads left after close: " + nioThreads());
    }

    private static List<String> nioThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName)
                .filter(n -> n.startsWith("nio-"))
                .sorted()
                .toList();
    }
}
