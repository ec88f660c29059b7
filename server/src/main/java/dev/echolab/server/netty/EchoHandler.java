package dev.echolab.server.netty;

import dev.echolab.server.ServerStats;
import dev.echolab.server.Work;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole echo, as a Netty handler: write back what was read, flush once per batch of reads,
 * stop reading while the outbound buffer is over its high-water mark. Stateless, so one instance
 * serves every channel, on its event loop or (with {@code --offload}) on an executor of the
 * offload group.
 */
@ChannelHandler.Sharable
final class EchoHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(EchoHandler.class);
    private final ServerStats stats;
    private final Work work;

    EchoHandler(ServerStats stats, Work work) {
        this.stats = stats;
        this.work = work;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        stats.accepted();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stats.closed();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        stats.echoed(((ByteBuf) msg).readableBytes());
        // --work: on the event loop (the classic mistake) unless the handler was added with an
        // offload executor group, in which case Netty runs this method there and hands the write
        // back to the channel's event loop by itself.
        work.perform();
        // The same pooled buffer goes back out: no copy. The pipeline releases it once written.
        ctx.write(msg, ctx.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // One flush (one write syscall) for everything read in this event-loop turn.
        ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Backpressure: above the high-water mark stop reading this client until it drains.
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
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
