package dev.echolab.server.virtual;

import dev.echolab.server.ServerConfig;
import dev.echolab.server.StreamEchoServer;

import java.util.concurrent.Executors;

/**
 * <b>Model:</b> blocking code on virtual threads: the JVM's coroutines.
 *
 * <p><b>How it works:</b>
 * <ol>
 *   <li>An accept thread accepts each connection and starts one virtual thread for it.</li>
 *   <li>The virtual thread runs the very same blocking echo loop as
 *       {@link dev.echolab.server.blocking.ThreadPerConnectionEchoServer}.</li>
 *   <li>When {@code read()} would block, the JVM parks the virtual thread (its stack is copied to
 *       the heap) and registers the socket with an internal poller (epoll).</li>
 *   <li>When data arrives the poller unparks it and a carrier thread (a small ForkJoinPool, one per
 *       CPU) continues it where it left off.</li>
 * </ol>
 * Phase 1 (waiting for data) no longer holds an operating-system thread; phase 2 (the copy) runs
 * on a carrier. This is what gevent does for Python, built into the JVM.
 *
 * <p><b>Threads:</b> 1 accept thread, ~1 carrier per CPU, plus the JDK's read/write pollers;
 * one virtual thread per connection (a few hundred bytes to a few KiB of heap each when parked).
 *
 * <p><b>Costs:</b> a park/unpark and a poller round trip per blocking call: more CPU per message
 * than a hand-written selector loop, far less memory per connection than a platform thread.
 *
 * <p><b>Choose it when</b> you want thread-per-connection code with event-loop footprint (JDK 21
 * or newer).
 *
 * <p><b>Compare with:</b> {@link dev.echolab.server.blocking.ThreadPerConnectionEchoServer} (same
 * code, expensive threads), {@link dev.echolab.server.nio.SelectorEchoServer} (the poller written
 * by hand).
 *
 * <p><b>Try it:</b> {@code bin/server --backend virtual}, then {@code bin/loadgen}: 500 connections
 * served by a handful of operating-system threads ({@code ls /proc/$PID/task | wc -l}).
 */
public final class VirtualThreadEchoServer extends StreamEchoServer {

    public VirtualThreadEchoServer(ServerConfig config) {
        super(config, Executors::newThreadPerTaskExecutor, Thread.ofVirtual().name("virtual-echo-", 0).factory());
    }
}
