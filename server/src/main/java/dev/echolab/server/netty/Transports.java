package dev.echolab.server.netty;

import dev.echolab.server.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

import java.net.StandardSocketOptions;

/**
 * The three Netty transports behind one switch: which IO handler runs the event loops and which
 * channel class listens. Everything above them (pipeline, {@link EchoHandler}) is the same; that is
 * the point of Netty's transport abstraction.
 */
final class Transports {

    /*
     * io_uring accepts one connection per submission, not with Netty's default multishot accept.
     * A multishot accept ends at the first failure (EMFILE: out of descriptors), and Netty 4.2
     * re-arms an ended multishot at once, whether or not auto-read is on
     * (AbstractIoUringChannel's readComplete): AdmissionHandler's back-off cannot stop it, and
     * the loop spins on io_uring_enter (docs/reliability.md). A single-shot accept is
     * submitted again only when the channel reads, so turning auto-read off pauses it, as on
     * epoll and nio. Netty reads this property once, when its IoUring class loads; no class of
     * ours but this one touches IoUring, so this comes first. An explicit -D wins.
     */
    static {
        System.getProperties().putIfAbsent("io.netty.iouring.acceptMultiShotEnabled", "false");
    }

    private Transports() {
    }

    /** {@code auto} becomes the best available one; an explicit unavailable choice is an error. */
    static Transport resolve(Transport requested) {
        if (requested == Transport.AUTO) {
            return IoUring.isAvailable() ? Transport.IO_URING : Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO;
        }
        Throwable cause = unavailabilityCause(requested);
        if (cause != null) {
            throw new IllegalStateException("netty transport " + requested.id() + " is not available here: "
                    + cause.getMessage());
        }
        return requested;
    }

    /** Why the transport cannot be used, or null if it can. */
    static Throwable unavailabilityCause(Transport t) {
        return switch (t) {
            case IO_URING -> IoUring.unavailabilityCause();
            case EPOLL -> Epoll.unavailabilityCause();
            case NIO, AUTO -> null;
        };
    }

    static IoHandlerFactory ioHandler(Transport t) {
        return switch (t) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            default -> NioIoHandler.newFactory();
        };
    }

    static Class<? extends ServerChannel> serverChannel(Transport t) {
        return switch (t) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            default -> NioServerSocketChannel.class;
        };
    }

    /** SO_REUSEPORT, spelled the way each transport spells it. */
    static void reusePort(ServerBootstrap b, Transport t) {
        switch (t) {
            case IO_URING -> b.option(IoUringChannelOption.SO_REUSEPORT, true);
            case EPOLL -> b.option(EpollChannelOption.SO_REUSEPORT, true);
            default -> b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
        }
    }
}
