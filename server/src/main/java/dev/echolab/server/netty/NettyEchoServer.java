package dev.echolab.server.netty;

import dev.echolab.server.BaseEchoServer;
import dev.echolab.server.JoinedThreads;
import dev.echolab.server.Sockets;
import dev.echolab.server.ServerConfig;
import dev.echolab.server.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * <b>Model:</b> production event loops: the {@link dev.echolab.server.nio.SelectorEchoServer}
 * design, hardened, with several loops and a native transport.
 *
 * <p><b>How it works:</b>
 * <ol>
 *   <li>An event-loop group of N threads, each driving one IO mechanism, the transport
 *       ({@code --transport}): {@code nio} (Java's selector), {@code epoll} (Netty's own JNI
 *       binding, edge-triggered) or {@code io_uring} (the kernel does the read and posts a
 *       completion: true asynchronous IO). {@code auto}, the default, takes io_uring, then epoll,
 *       then nio, whichever this machine supports first.</li>
 *   <li>The listening channel lives on one loop; each accepted channel is assigned to one loop,
 *       round robin, and stays there for life: no locks on a connection's state.</li>
 *   <li>Reads land in pooled buffers; {@link EchoHandler} writes the same buffer back and flushes
 *       once per batch of reads.</li>
 *   <li>When a client stops reading and more than 256 KiB queue up, the channel becomes
 *       unwritable and the handler turns auto-read off until it drains.</li>
 * </ol>
 *
 * <p><b>Threads:</b> N event loops ({@code --threads}, default one per CPU), which also accept.
 * Like any event loop they must never block.
 *
 * <p><b>Work</b> ({@code --work}): in {@link EchoHandler#channelRead} on the event loop it stalls
 * every channel of that loop. {@code --offload N} adds the handler with a
 * {@link DefaultEventExecutorGroup} of N threads: Netty runs it there and passes its writes back
 * to the channel's loop (Netty's own answer to blocking handlers). Honest limit: the executors'
 * task queues then hold the messages waiting for work, and the 256 KiB mark does not bound them,
 * so a client that floods a slow handler can make them grow (a closed-loop client cannot).
 *
 * <p><b>Costs:</b> a little more machinery per message than the hand-written selector (pipeline,
 * reference counting), paid back by edge-triggered epoll, fewer syscalls and pooled direct memory.
 * io_uring batches submissions and completions through shared rings: fewer system calls again,
 * but it needs a recent Linux kernel and is often disabled in containers (then {@code auto} falls back and
 * an explicit {@code --transport io_uring} fails with Netty's reason).
 *
 * <p><b>Choose it when</b> you are building a real network server on the JVM.
 *
 * <p><b>Compare with:</b> {@link dev.echolab.server.nio.SelectorEchoServer} (the same idea in
 * plain Java, {@code --threads N} for the boss/worker split), {@link
 * dev.echolab.server.aio.AsyncChannelEchoServer} (the completion style, emulated by the JDK).
 *
 * <p><b>Try it:</b> {@code bin/server --backend netty}, then {@code bin/loadgen}; the ready line
 * names the transport ({@code transport=io_uring}). Then {@code --transport epoll} and
 * {@code --transport nio}, back to back, same load.
 */
public final class NettyEchoServer extends BaseEchoServer {

    private final Transport transport;
    private EventLoopGroup group;
    /** {@code --offload}: the executors that run the handler (and its work) off the event loops. */
    private EventExecutorGroup offload;
    private final JoinedThreads loopThreads = new JoinedThreads(new DefaultThreadFactory("netty-loop"));
    private final JoinedThreads offloadThreads = new JoinedThreads(new DefaultThreadFactory("netty-offload"));
    private Channel serverChannel;

    /**
     * @throws IllegalStateException if the configuration names a transport this machine cannot
     *                               run, with Netty's reason (a missing native library, a kernel
     *                               without io_uring, a seccomp filter that forbids it)
     */
    public NettyEchoServer(ServerConfig config) {
        super(config);
        this.transport = Transports.resolve(config.transport());
    }

    /** The transports this machine can run, in the order {@code auto} prefers them. */
    public static List<Transport> availableTransports() {
        return Arrays.stream(new Transport[] {Transport.IO_URING, Transport.EPOLL, Transport.NIO})
                .filter(t -> Transports.unavailabilityCause(t) == null)
                .toList();
    }

    @Override
    public String details() {
        return "transport=" + transport.id();
    }

    @Override
    protected InetSocketAddress listen() throws IOException {
        group = new MultiThreadIoEventLoopGroup(config.effectiveThreads(), loopThreads,
                Transports.ioHandler(transport));
        EchoHandler handler = new EchoHandler(context(null));
        if (config.offload() > 0 && !config.work().isNone()) {
            offload = new DefaultEventExecutorGroup(config.offload(), offloadThreads);
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(Transports.serverChannel(transport))
                .option(ChannelOption.SO_BACKLOG, Sockets.BACKLOG) // the options of Sockets, as Netty spells them
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // The pooled allocator, not 4.2's default adaptive one: on the NIO transport the
                // adaptive buffer makes a new ByteBuffer view for every read (an allocation per message).
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(EchoHandler.LOW_WATER_MARK, EchoHandler.HIGH_WATER_MARK))
                .handler(new AdmissionHandler(limits))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (limits.idleTimeoutEnabled()) {
                            // Reader idle only: an all-idle check would add a listener to every write.
                            ch.pipeline().addLast(new IdleStateHandler(limits.idleTimeoutMillis(), 0, 0, TimeUnit.MILLISECONDS));
                        }
                        // With --offload each channel is pinned to one executor of the group: its
                        // messages stay in order. A null group runs the handler on the event loop.
                        ch.pipeline().addLast(offload, null, handler);
                    }
                });
        if (config.reusePort()) {
            Transports.reusePort(bootstrap, transport);
        }
        try {
            serverChannel = bootstrap.bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
            shutdownOffload();
            if (e instanceof IOException io2) {
                throw io2;
            }
            throw new IOException(e.getMessage(), e);
        }
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Drain: the server channel closes on its event loop; the child channels stay on theirs. */
    @Override
    protected void closeListener() {
        serverChannel.close().syncUninterruptibly();
    }

    @Override
    protected void stop() {
        serverChannel.close().syncUninterruptibly();
        // Closing the group closes every channel on it; quiet period 0: we are not draining requests.
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        shutdownOffload();
        try { // the group's termination is signalled by its threads on their way out: wait for them to end
            loopThreads.join();
            offloadThreads.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void shutdownOffload() {
        if (offload != null) {
            offload.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
