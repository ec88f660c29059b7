/**
 * Echo servers, one per IO model: the chapter in code. Read them in this order (the order of
 * {@link dev.echolab.server.Backend}); each class comment is the lesson.
 *
 * <ol>
 *   <li>{@link dev.echolab.server.blocking.ThreadPerConnectionEchoServer} ({@code blocking}):
 *       a platform thread blocks in {@code read} for each connection. Choose it when connections
 *       are few and code must be simple.</li>
 *   <li>{@link dev.echolab.server.pool.ThreadPoolEchoServer} ({@code pool}): the same loop on N
 *       threads; connection N+1 waits. Choose it when you must cap threads and connections are
 *       short.</li>
 *   <li>{@link dev.echolab.server.virtual.VirtualThreadEchoServer} ({@code virtual}): the same
 *       loop on virtual threads. Choose it when you want blocking code at event-loop scale.</li>
 *   <li>{@link dev.echolab.server.nonblocking.PollingEchoServer} ({@code nonblocking}): one thread
 *       asks every socket again and again. Choose it never; it shows what a selector saves.</li>
 *   <li>{@link dev.echolab.server.nio.SelectorEchoServer} ({@code nio}): one selector waits on
 *       every socket; {@code --threads N} for an acceptor and N reactors. Choose it for many
 *       connections and short work per message.</li>
 *   <li>{@link dev.echolab.server.aio.AsyncChannelEchoServer} ({@code aio}): start a read,
 *       continue in a callback (epoll and a thread pool underneath, on Linux). Choose it for the
 *       completion style, or Windows IOCP.</li>
 *   <li>{@link dev.echolab.server.uring.UringEchoServer} ({@code uring}): the same completion
 *       model with the kernel's own mechanism, io_uring, driven from Java through the FFM API:
 *       one thread, one ring, batched submissions. Choose it for the fewest system calls per
 *       message on Linux.</li>
 *   <li>{@link dev.echolab.server.netty.NettyEchoServer} ({@code netty}): production event loops
 *       on nio, epoll or io_uring. Choose it for a real server on the JVM.</li>
 * </ol>
 *
 * Across all of them: {@code --work io:D|cpu:D} adds per-message work ({@link dev.echolab.server.Work}),
 * {@code --offload N} moves it off an event loop ({@link dev.echolab.server.Offload}), and
 * {@code --processes N} runs N copies sharing the port ({@code ProcessGroup}).
 */
package dev.echolab.server;
