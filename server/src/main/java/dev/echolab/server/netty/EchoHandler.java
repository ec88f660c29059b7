package dev.echolab.server.netty;

import dev.echolab.server.ConnectionContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The whole echo, as a Netty handler: write back what was read, flush once per batch of reads,
 * stop reading while the outbound buffer is over its high-water mark. Stateless, so one instance
 * serves every channel, on its event loop or (with {@code --offload}) on an executor of the
 * offload group.
 *
 * <p>Limits: a channel over its high-water mark holds about that many bytes, so it counts as
 * {@value #HELD} bytes against the global {@code --max-buffered} budget until it drains; over the
 * budget every channel stops reading and looks again every {@value #BUDGET_RETRY_MS} ms.
 * {@code --idle-timeout}: an {@code IdleStateHandler} in front of this one reports a channel that
 * has read nothing for that long; unless it is paused (waiting for its client to read), it is closed.
 */
@ChannelHandler.Sharable
final class EchoHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(EchoHandler.class);
    /** A channel stops reading above this many bytes queued to write, and reads again below the low mark. */
    static final int HIGH_WATER_MARK = 256 * 1024;
    static final int LOW_WATER_MARK = 128 * 1024;
    /** What a channel over the high-water mark is taken to hold (the mark itself). */
    static final int HELD = HIGH_WATER_MARK;
    private static final long BUDGET_RETRY_MS = 10;
    /** Set while the channel's {@link #HELD} bytes are counted against the budget. */
    private static final AttributeKey<Boolean> COUNTED = AttributeKey.valueOf("echolab.counted");
    /** The server's counters, limits and work (the offload group, if any, is the pipeline's). */
    private final ConnectionContext context;

    EchoHandler(ConnectionContext context) {
        this.context = context;
    }

    /** Counted as accepted by {@link AdmissionHandler}; closed here, once, whoever closes it. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        uncount(ctx);
        context.stats().closed();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        context.stats().echoed(((ByteBuf) msg).readableBytes());
        // --work: on the event loop (the classic mistake) unless the handler was added with an
        // offload executor group, in which case Netty runs this method there and hands the write
        // back to the channel's event loop by itself.
        context.work().perform();
        // The same pooled buffer goes back out: no copy. The pipeline releases it once written.
        ctx.write(msg, ctx.voidPromise());
        if (context.limits().overBudget()) {
            pauseForBudget(ctx);
        }
    }

    private void pauseForBudget(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(false);
        ctx.executor().schedule(() -> {
            if (context.limits().overBudget()) {
                pauseForBudget(ctx);
            } else if (ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(true);
            }
        }, BUDGET_RETRY_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // One flush (one write syscall) for everything read in this event-loop turn.
        ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Backpressure: above the high-water mark stop reading this client until it drains.
        boolean writable = ctx.channel().isWritable();
        if (writable) {
            uncount(ctx);
        } else if (ctx.channel().attr(COUNTED).setIfAbsent(Boolean.TRUE) == null) {
            context.limits().reserve(HELD);
        }
        ctx.channel().config().setAutoRead(writable && !context.limits().overBudget());
    }

    private void uncount(ChannelHandlerContext ctx) {
        if (ctx.channel().attr(COUNTED).getAndSet(null) != null) {
            context.limits().release(HELD);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && ctx.channel().config().isAutoRead()) {
            context.limits().idleClosed();
            log.debug("idle for {}: closing", context.limits().idleTimeout());
            ctx.close();
        } else if (evt instanceof ChannelInputShutdownEvent) {
            // Half-close: send what is still queued, then close our side.
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("connection ended: {}", cause.toString());
        ctx.close();
    }
}
