package dev.echolab.server.netty;

import dev.echolab.server.Limits;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.concurrent.TimeUnit;

/**
 * The listening channel's handler: it sees every accepted child before Netty registers it.
 * {@code --max-connections}: over the cap the child is closed at once and never reaches an event
 * loop. A failed accept (out of file descriptors) is reported to {@link Limits#acceptFailed}, then
 * accepting pauses for {@link Limits#ACCEPT_RETRY_MS} instead of retrying at once on a socket that
 * stays readable (on io_uring only with single-shot accept: see {@code Transports}).
 */
@ChannelHandler.Sharable
final class AdmissionHandler extends ChannelInboundHandlerAdapter {

    private final Limits limits;

    AdmissionHandler(Limits limits) {
        this.limits = limits;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!limits.admit()) {
            ((Channel) msg).unsafe().closeForcibly();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Not passed on: Netty's tail would log it with a stack trace on every retry. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        limits.acceptFailed(cause);
        Channel server = ctx.channel();
        if (server.config().isAutoRead()) { // one pause at a time, however many failures it sees
            server.config().setAutoRead(false);
            ctx.executor().schedule(() -> server.config().setAutoRead(true), Limits.ACCEPT_RETRY_MS, TimeUnit.MILLISECONDS);
        }
    }
}
