package dev.echolab.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The listening socket {@link Sockets#bind(ServerConfig)} makes. */
class SocketsTest {

    /**
     * Bound to 127.0.0.1, the listener is an IPv4 socket: Linux lists it in {@code /proc/net/tcp},
     * not in {@code tcp6}, where the JDK's default dual-stack socket would be.
     */
    @Test
    void anIpv4AddressGetsAnIpv4Socket() throws IOException {
        assumeTrue(Files.isReadable(Path.of("/proc/net/tcp6")), "needs Linux with IPv6 (without it every socket is IPv4)");
        try (ServerSocketChannel server = Sockets.bind(ServerConfig.loopback(Backend.NIO))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            assertTrue(listening("/proc/net/tcp", port), "listed as an IPv4 listener");
            assertFalse(listening("/proc/net/tcp6", port), "not listed as an IPv6 listener");
        }
    }

    /** A socket in LISTEN state (0A) on {@code port} in one of the kernel's socket tables. */
    private static boolean listening(String table, int port) throws IOException {
        String local = String.format(Locale.ROOT, ":%04X", port);
        try (var lines = Files.lines(Path.of(table))) {
            return lines.skip(1).map(String::trim).map(l -> l.split("\\s+"))
                    .anyMatch(f -> f.length > 3 && f[1].endsWith(local) && f[3].equals("0A"));
        }
    }
}
