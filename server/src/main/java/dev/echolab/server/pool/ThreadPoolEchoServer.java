package dev.echolab.server.pool;

import dev.echolab.server.ServerConfig;
import dev.echolab.server.StreamEchoServer;

import java.util.concurrent.Executors;

/**
 * <b>Model:</b> blocking IO on a fixed pool of platform threads.
 *
 * <p><b>How it works:</b>
 * <ol>
 *   <li>An accept thread accepts every connection at once (the kernel handshake completes).</li>
 *   <li>It hands the connection's echo loop to a pool of {@code --threads} threads (default 200,
 *       Tomcat's classic default).</li>
 *   <li>A pooled thread runs the same blocking echo loop as
 *       {@link dev.echolab.server.blocking.ThreadPerConnectionEchoServer} until its client closes.</li>
 *   <li>Connection N+1 waits in the pool's queue until one of the N threads is free: the client
 *       is connected but gets no reply. The stats line counts these as {@code waiting}.</li>
 * </ol>
 *
 * <p><b>Threads:</b> 1 accept thread + N pool threads, whatever the load.
 *
 * <p><b>Costs:</b> bounded memory and threads, paid for with <em>starvation</em>: the pool serves
 * connections, not messages, so N long-lived (or idle) clients hold every thread and the rest
 * are starved. {@code bin/loadgen} with its 500 connections against the default 200 threads shows
 * it in its fairness section: about 300 connections that never got a reply.
 *
 * <p><b>Choose it when</b> connections are short (request, reply, close) so threads come back
 * quickly, and you need a hard cap on threads.
 *
 * <p><b>Compare with:</b> {@link dev.echolab.server.blocking.ThreadPerConnectionEchoServer}
 * (no cap, no starvation), {@link dev.echolab.server.virtual.VirtualThreadEchoServer} (no cap
 * needed because threads are cheap).
 *
 * <p><b>Try it:</b> {@code bin/server --backend pool --threads 100}, then {@code bin/loadgen}:
 * the server's stats line shows {@code waiting=400} and the load generator reports 400
 * connections without a reply.
 */
public final class ThreadPoolEchoServer extends StreamEchoServer {

    public ThreadPoolEchoServer(ServerConfig config) {
        super(config, threads -> Executors.newFixedThreadPool(config.effectiveThreads(), threads),
                Thread.ofPlatform().name("pool-echo-", 0).factory());
    }
}
