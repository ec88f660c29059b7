package dev.echolab.server;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;

/**
 * The listening socket, bound the same way by every backend: the one place for its options.
 * <ul>
 *   <li>{@code SO_REUSEADDR}: a restarted server binds at once, without waiting for its last
 *       connections' TIME_WAIT to pass;</li>
 *   <li>{@code SO_REUSEPORT} only with {@link ServerConfig#reusePort()} ({@code --processes}
 *       children): several processes bind the same port and the kernel spreads new connections
 *       over them;</li>
 *   <li>a backlog of {@value #BACKLOG}.</li>
 * </ul>
 * Two socket classes, one per family of backends: a {@link ServerSocketChannel} (nonblocking and
 * nio in nonblocking mode; blocking, pool and virtual in blocking mode) and an
 * {@link AsynchronousServerSocketChannel} (aio). Netty binds its own channel, with the same
 * options ({@code NettyEchoServer}, {@code Transports.reusePort}).
 */
public final class Sockets {

    /** Pending connections the kernel may queue before we accept them: enough for a 500-client burst. */
    public static final int BACKLOG = 4096;

    private Sockets() {
    }

    /** A listening channel bound as the configuration says (blocking mode, as opened). */
    public static ServerSocketChannel bind(ServerConfig config) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        return bound(server, config, server::setOption, server::bind);
    }

    /** An asynchronous listening channel in {@code group}, bound as the configuration says. */
    public static AsynchronousServerSocketChannel bind(ServerConfig config, AsynchronousChannelGroup group) throws IOException {
        AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open(group);
        return bound(server, config, server::setOption, server::bind);
    }

    /** The address a listening channel is bound to, for {@link EchoServer#localAddress()}. */
    public static InetSocketAddress localAddress(NetworkChannel server) {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("server is closed", e);
        }
    }

    /** How each socket class sets a boolean option, and binds. */
    private interface OptionSetter {
        void set(SocketOption<Boolean> option, Boolean on) throws IOException;
    }

    private interface Binder {
        void bind(SocketAddress address, int backlog) throws IOException;
    }

    /** Sets the options and binds {@code socket}; closes it if either fails. */
    private static <S extends Closeable> S bound(S socket, ServerConfig config, OptionSetter options, Binder binder)
            throws IOException {
        try {
            options.set(StandardSocketOptions.SO_REUSEADDR, true);
            if (config.reusePort()) {
                options.set(StandardSocketOptions.SO_REUSEPORT, true);
            }
            binder.bind(new InetSocketAddress(config.host(), config.port()), BACKLOG);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }
}
