package dev.echolab.server.blocking;

import dev.echolab.server.ServerConfig;
import dev.echolab.server.StreamEchoServer;

import java.util.concurrent.Executors;

/**
 * <b>Model:</b> blocking IO, one platform (operating-system) thread per connection.
 *
 * <p><b>How it works:</b>
 * <ol>
 *   <li>An accept thread blocks in {@code accept()} until a client connects.</li>
 *   <li>It starts a new platform thread for that connection and goes back to {@code accept()}.</li>
 *   <li>The connection's thread blocks in {@code read()}: both phases of IO, waiting for data and
 *       copying it from the kernel, happen while this thread is parked in the kernel.</li>
 *   <li>It writes the bytes back ({@code write()} blocks while the client's window is full) and
 *       reads again, until the client closes; then the thread ends.</li>
 * </ol>
 * The loops themselves live in {@link StreamEchoServer}; this class only says how threads are made.
 *
 * <p><b>Threads:</b> 1 accept thread + 1 thread per open connection. Each blocks where its
 * connection waits, so the code reads top to bottom like a conversation with one client.
 *
 * <p><b>Costs:</b> each thread has its own stack (reserved virtual memory, touched pages in RSS)
 * and a kernel task; thousands of them mean scheduler work and context switches on every message.
 * The operating system's thread limit is this server's connection limit.
 *
 * <p><b>Choose it when</b> connections are few (tens to a few hundred) and you value code that is
 * trivially correct over footprint.
 *
 * <p><b>Compare with:</b> {@link dev.echolab.server.pool.ThreadPoolEchoServer} (caps the threads
 * and lets connections wait), {@link dev.echolab.server.virtual.VirtualThreadEchoServer} (the same
 * code without the per-thread cost).
 *
 * <p><b>Try it:</b> {@code bin/server --backend blocking}, then {@code bin/loadgen}: the server
 * grows to about 500 threads (see {@code ls /proc/$PID/task | wc -l}).
 */
public final class ThreadPerConnectionEchoServer extends StreamEchoServer {

    public ThreadPerConnectionEchoServer(ServerConfig config) {
        super(config, Executors::newThreadPerTaskExecutor, Thread.ofPlatform().name("blocking-echo-", 0).factory());
    }
}
