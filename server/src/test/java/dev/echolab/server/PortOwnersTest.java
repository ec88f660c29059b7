package dev.echolab.server;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The check {@code --processes} makes once its children are bound: a listener that shares the
 * port through SO_REUSEPORT is found, unless it belongs to one of the given processes.
 */
class PortOwnersTest {

    @Test
    void findsAListenerThatSharesThePortUnlessItIsOurs() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "needs Linux's /proc/net");
        long self = ProcessHandle.current().pid();
        try (ServerSocketChannel first = reusePortListener(0)) {
            int port = ((InetSocketAddress) first.getLocalAddress()).getPort();
            try (ServerSocketChannel second = reusePortListener(port)) {
                assertEquals(2, PortOwners.othersListening("127.0.0.1", port, List.of()).size(), "both listeners seen");
                assertTrue(PortOwners.othersListening("127.0.0.1", port, List.of(self)).isEmpty(), "both are ours");
                assertTrue(PortOwners.othersListening("127.0.0.2", port, List.of()).isEmpty(),
                        "127.0.0.1:" + port + " takes no connection meant for 127.0.0.2");
                assertEquals(2, PortOwners.othersListening("0.0.0.0", port, List.of()).size(), "a wildcard overlaps");
            }
        }
    }

    private static ServerSocketChannel reusePortListener(int port) throws Exception {
        ServerSocketChannel ch = ServerSocketChannel.open();
        ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        ch.bind(new InetSocketAddress("127.0.0.1", port));
        return ch;
    }
}
