package dev.echolab.server;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
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
 *   <li>a backlog of {@value #BACKLOG};</li>
 *   <li>the address family of the address: an IPv4 address gets an IPv4 socket, not the JDK's
 *       default dual-stack IPv6 one (aio's channel has no such choice and stays dual-stack).</li>
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
        InetSocketAddress address = address(config);
        // An IPv4 address gets an IPv4 socket. Opened without a family, the JDK makes an IPv6 one
        // (dual-stack) whenever the host has IPv6, and every receive and send on its connections
        // then goes through the kernel's IPv6 socket layer before reaching IPv4.
        ServerSocketChannel server = address.getAddress() instanceof Inet4Address
                ? ServerSocketChannel.open(StandardProtocolFamily.INET) : ServerSocketChannel.open();
        return bound(server, address, config, server::setOption, server::bind);
    }

    /** An asynchronous listening channel in {@code group}, bound as the configuration says. */
    public static AsynchronousServerSocketChannel bind(ServerConfig config, AsynchronousChannelGroup group) throws IOException {
        AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open(group);
        return bound(server, address(config), config, server::setOption, server::bind);
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

    /** Where to listen: the configured host (resolved here, once) and port. */
    private static InetSocketAddress address(ServerConfig config) {
        return new InetSocketAddress(config.host(), config.port());
    }

    /** Sets the options and binds {@code socket} to {@code address}; closes it if either fails. */
    private static <S extends Closeable> S bound(S socket, InetSocketAddress address, ServerConfig config,
                                                 OptionSetter options, Binder binder) throws IOException {
        try {
            options.set(StandardSocketOptions.SO_REUSEADDR, true);
            if (config.reusePort()) {
                options.set(StandardSocketOptions.SO_REUSEPORT, true);
            }
            binder.bind(address, BACKLOG);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }
}
