package dev.echolab.server.netty;

import dev.echolab.server.Limits;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The listening channel's handler: it sees every accepted child before Netty registers it.
 * {@code --max-connections}: over the cap the child is closed at once and never reaches an event
 * loop. A failed accept (out of file descriptors) is said once, then accepting pauses for
 * {@value #ACCEPT_BACKOFF_MS} ms instead of retrying at once on a socket that stays readable
 * (on io_uring only with single-shot accept: see {@link Transports}).
 */
@ChannelHandler.Sharable
final class AdmissionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(AdmissionHandler.class);
    private static final long ACCEPT_BACKOFF_MS = 100;
    private final Limits limits;
    /** Only the listening channel's event loop touches it. */
    private boolean acceptWarned;

    AdmissionHandler(Limits limits) {
        this.limits = limits;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        acceptWarned = false;
        if (!limits.admit()) {
            ((Channel) msg).unsafe().closeForcibly();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Not passed on: Netty's tail would log it with a stack trace on every retry. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!acceptWarned) {
            log.warn("accept failed ({}); retrying every {} ms", cause.getMessage(), ACCEPT_BACKOFF_MS);
            acceptWarned = true;
        }
        Channel server = ctx.channel();
        if (server.config().isAutoRead()) { // one pause at a time, however many failures it sees
            server.config().setAutoRead(false);
            ctx.executor().schedule(() -> server.config().setAutoRead(true), ACCEPT_BACKOFF_MS, TimeUnit.MILLISECONDS);
        }
    }
}
