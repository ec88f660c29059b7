package dev.echolab.server.nio;

import dev.echolab.server.BaseEchoServer;
import dev.echolab.server.ConnectionContext;
import dev.echolab.server.Offload;
import dev.echolab.server.ServerConfig;
import dev.echolab.server.Sockets;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.ExecutorService;

/**
 * <b>Model:</b> IO multiplexing: one thread waits on every socket at once ({@link Selector}, which
 * is epoll on Linux) and only touches the sockets that are ready.
 *
 * <p><b>How it works:</b>
 * <ol>
 *   <li>Every channel is non-blocking and registered with a selector: the listening socket for
 *       ACCEPT, each client for READ. A {@link Reactor} is one selector and the thread that loops
 *       over it.</li>
 *   <li>The loop thread blocks in {@code select()} (phase 1, waiting, for all its sockets together).</li>
 *   <li>For each ready client it reads into one shared buffer (phase 2, the copy) and writes the
 *       bytes straight back.</li>
 *   <li>If the socket takes only part of them, the rest is kept on the {@link Connection} and the
 *       key switches to WRITE until it drains, then back to READ.</li>
 *   <li>With {@code --threads N} (N &gt; 1) one acceptor reactor owns the listening socket and hands
 *       each new connection to one of N worker reactors, round robin, through a lock-free MPSC
 *       queue plus {@code wakeup()}; the connection then lives on that reactor for good. This is
 *       Netty's boss/worker design in plain Java. With one thread the reactor hands connections to
 *       itself: the same code, no second thread.</li>
 * </ol>
 *
 * <pre>
 *   --threads 1:   [nio-loop: accept + echo]
 *   --threads 3:   [nio-acceptor] ──MPSC queue + wakeup──► [nio-reactor-1] [nio-reactor-2] [nio-reactor-3]
 * </pre>
 *
 * <p><b>Threads:</b> one reactor (default), or one acceptor plus N reactors. None may ever block: a
 * slow call inside the loop (a database query, a {@code Thread.sleep}) stalls every connection of
 * that reactor at once. The wrong way, in prose: calling a blocking API from {@code onReadable}
 * looks harmless with one client and freezes the server at five hundred.
 *
 * <p><b>Work</b> ({@code --work io:5ms}): done on the reactor thread, it is the classic mistake:
 * every connection of that reactor waits for it, so throughput falls to about one message per 5 ms
 * per reactor. {@code --offload N} copies the message, runs the work on a pool of N threads and
 * hands the connection back to its reactor (MPSC queue plus {@code wakeup()}, as for accepted
 * channels), which writes the echo; the connection reads nothing until then, so order and the
 * memory bound hold. Offloading costs a copy and two thread hand-offs per message.
 *
 * <p><b>Costs:</b> one {@code epoll_wait} amortised over all ready sockets, one {@code read} and one
 * {@code write} per message, no thread per connection and no allocation per message (the read
 * buffer is shared per reactor; a connection's own buffer exists only after its first partial
 * write). Several reactors use several cores; a connection never moves, so no locks. The system
 * calls are those of a C epoll server with one difference no public JDK API lets us choose: the
 * JDK's channels call {@code read(2)} and {@code write(2)}, which go through the kernel's generic
 * file layer before reaching the socket, where a C server's {@code recv(2)} and {@code send(2)}
 * go to the socket directly. The listening socket is IPv4 for an IPv4 address
 * ({@link dev.echolab.server.Sockets}), so its connections skip the IPv6 socket layer.
 *
 * <p><b>Choose it when</b> you need many connections on few threads and the work per message is
 * short; this is the core of Netty, Redis and nginx.
 *
 * <p><b>Compare with:</b> {@link dev.echolab.server.nonblocking.PollingEchoServer} (the same loop
 * without the kernel's help: it asks every socket), {@link dev.echolab.server.netty.NettyEchoServer}
 * (the same design, production-grade), {@link dev.echolab.server.virtual.VirtualThreadEchoServer}
 * (the JDK runs such a poller for you behind blocking code).
 *
 * <p><b>Try it:</b> {@code bin/server --backend nio}, then {@code bin/loadgen}: one busy thread
 * serves all 500 connections ({@code top -H -p $PID}). Then {@code --threads 2}: two reactors share
 * them and use both cores.
 */
public final class SelectorEchoServer extends BaseEchoServer {

    private ServerSocketChannel server;
    /** The reactor that accepts; one of {@link #workers} when there is only one thread. */
    private Reactor acceptor;
    private Reactor[] workers = new Reactor[0];
    private ExecutorService offload;

    public SelectorEchoServer(ServerConfig config) {
        super(config);
    }

    @Override
    protected InetSocketAddress listen() throws IOException {
        int n = Math.max(1, config.effectiveThreads());
        server = Sockets.bind(config);
        offload = Offload.pool(config);
        ConnectionContext context = context(offload);
        try {
            if (n == 1) {
                workers = new Reactor[] {new Reactor("nio-loop", context)};
                acceptor = workers[0];
            } else {
                workers = new Reactor[n];
                for (int i = 0; i < n; i++) {
                    workers[i] = new Reactor("nio-reactor-" + (i + 1), context);
                }
                acceptor = new Reactor("nio-acceptor", context(null));
            }
            acceptor.accept(server, workers);
        } catch (IOException | RuntimeException e) {
            server.close();
            Offload.shutdown(offload);
            throw e;
        }
        for (Reactor r : workers) {
            r.start();
        }
        if (n > 1) {
            acceptor.start();
        }
        return Sockets.localAddress(server);
    }

    @Override
    public String details() {
        return workers.length > 1 ? "reactors=" + workers.length : "";
    }

    /** Drain: the acceptor closes the listening socket on its own thread; the reactors serve on. */
    @Override
    protected void closeListener() {
        acceptor.stopAccepting();
    }

    /** The acceptor first, so nothing is handed to a reactor that has already stopped. */
    @Override
    protected void stop() {
        try {
            acceptor.stop();
            acceptor.join();
            for (Reactor r : workers) {
                r.stop();
            }
            for (Reactor r : workers) {
                r.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Offload.shutdown(offload);
    }
}
