package dev.echolab.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;

/** The bind every NIO-based backend does the same way: one place for the socket options. */
public final class Sockets {

    /** Pending connections the kernel may queue before we accept them: enough for a 500-client burst. */
    public static final int BACKLOG = 4096;

    private Sockets() {
    }

    /**
     * A listening channel bound as the configuration says (blocking mode, as opened). With
     * {@link ServerConfig#reusePort()} several processes bind the same port and the kernel spreads
     * new connections across them.
     */
    public static ServerSocketChannel bind(ServerConfig config) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (config.reusePort()) {
                server.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            server.bind(new InetSocketAddress(config.host(), config.port()), BACKLOG);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** The address a listening channel is bound to, for {@link EchoServer#localAddress()}. */
    public static InetSocketAddress localAddress(NetworkChannel server) {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("server is closed", e);
        }
    }
}
