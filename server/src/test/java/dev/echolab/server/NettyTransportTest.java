package dev.echolab.server;

import dev.echolab.server.netty.NettyEchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.util.concurrent.TimeUnit;

import static dev.echolab.server.EchoServers.connect;
import static dev.echolab.server.EchoServers.roundTrip;
import static dev.echolab.server.EchoServers.started;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --transport}: which one auto picks, and what an unavailable one does. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NettyTransportTest {

    @Test
    void nioIsAlwaysAvailableAndAutoPicksTheFirstAvailable() throws Exception {
        var available = NettyEchoServer.availableTransports();
        assertTrue(available.contains(Transport.NIO), "nio is pure Java: always available");
        System.out.println("netty transports available here: " + available);
        try (EchoServer server = started(ServerConfig.loopback(Backend.NETTY)); Socket s = connect(server)) {
            assertEquals("transport=" + available.getFirst().id(), server.details());
            roundTrip(s, "auto\n");
        }
    }

    @Test
    void anUnavailableTransportIsOneClearError() {
        var available = NettyEchoServer.availableTransports();
        for (Transport t : new Transport[] {Transport.IO_URING, Transport.EPOLL}) {
            if (available.contains(t)) {
                continue; // nothing to check for a transport this machine has
            }
            var e = assertThrows(IllegalStateException.class,
                    () -> EchoServer.create(ServerConfig.loopback(Backend.NETTY).withTransport(t)));
            assertTrue(e.getMessage().startsWith("netty transport " + t.id() + " is not available"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line");
        }
    }
}
