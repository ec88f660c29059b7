package dev.echolab.loadgen.driver;

import dev.echolab.loadgen.ErrorKind;
import dev.echolab.loadgen.Run;
import dev.echolab.loadgen.SourceAddresses;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

/**
 * The connect phase of one {@link NioWorker}: non-blocking connects on the worker's selector, at
 * most {@value #MAX_CONNECTING} handshakes in flight (thousands of SYNs at once would overflow the
 * server's accept queue and turn into retransmits a second later), each with its own
 * {@code --connect-timeout}. Connections that come up are left registered for {@code OP_READ}.
 *
 * <p>With {@code --connect-rate} new connects also follow a schedule (this worker's share of the
 * rate), so 100,000 connections arrive as a steady stream the server's accept loops can keep up
 * with, rather than as fast as a loopback handshake completes. With {@code --source} each channel
 * binds its source address ({@link SourceAddresses#of}, port 0: the kernel picks a free port of
 * that address) before it connects.
 */
public final class NioConnector {

    public static final int MAX_CONNECTING = 128;

    private final Run run;
    private final Selector selector;
    private final NioConnection[] connections;
    private final InetSocketAddress target;
    private final SourceAddresses sources;
    /** Nanoseconds between two connects of this worker; 0 for no schedule. */
    private final double connectInterval;
    /**
     * Connects in flight, oldest first: they all have the same timeout, so they expire in this order
     * and a check looks only at the head (scanning every connection at each wake-up of a paced
     * connect phase, a thousand times a second, would cost more than the connects).
     */
    private final ArrayDeque<NioConnection> inFlight = new ArrayDeque<>();
    private int pending;
    private int open;

    public NioConnector(Run run, Selector selector, NioConnection[] connections) {
        this.run = run;
        this.selector = selector;
        this.connections = connections;
        this.target = new InetSocketAddress(run.settings.host(), run.settings.port());
        this.sources = run.settings.sources();
        double rate = run.settings.connectRate() * connections.length / run.settings.connections();
        this.connectInterval = rate > 0 ? 1e9 / rate : 0;
    }

    /**
     * Returns when every connection is up or has failed, or at {@code deadline} ({@code nanoTime}):
     * then the connects still in flight and those not yet started count as timeouts, so that every
     * connection is either up or an error when the load starts (none is still connecting behind the
     * measurement's back, none is left out of the counts). The number that came up.
     *
     * @param limit how the deadline was set, for the error line
     */
    public int connectAll(long deadline, String limit) throws IOException {
        int next = 0;
        long start = System.nanoTime();
        while (next < connections.length || pending > 0) {
            if (System.nanoTime() - deadline >= 0) {
                timeOutTheRest(next, limit);
                break;
            }
            while (next < connections.length && pending < MAX_CONNECTING && due(start, next) <= System.nanoTime()) {
                startConnect(connections[next++]);
            }
            long now = System.nanoTime();
            long wait = Math.min(next < connections.length ? due(start, next) - now : Long.MAX_VALUE, deadline - now);
            if (pending > 0) {
                selector.select(this::onConnectEvent, Math.clamp(wait / 1_000_000, 1, 10));
                expireConnects(System.nanoTime());
            } else if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
        return open;
    }

    /** The connect phase is over: whatever is not up by now is a timeout, started or not. */
    private void timeOutTheRest(int next, String limit) {
        String line = "connect timeout: not connected to " + target.getHostString() + ":" + target.getPort()
                + " when the connect phase reached its limit (" + limit + ")";
        for (NioConnection c : inFlight) {
            if (c.state == NioConnection.State.CONNECTING) {
                pending--;
                NioWorker.closeChannel(c);
                run.failed(ErrorKind.TIMEOUT, line, false);
            }
        }
        inFlight.clear();
        for (int i = next; i < connections.length; i++) {
            NioWorker.closeChannel(connections[i]);
            run.failed(ErrorKind.TIMEOUT, line, false);
        }
    }

    /** When connect {@code n} of this worker may start. */
    private long due(long start, int n) {
        return start + (long) (n * connectInterval);
    }

    private void startConnect(NioConnection c) {
        c.connectStart = System.nanoTime();
        c.state = NioConnection.State.CONNECTING;
        pending++;
        inFlight.addLast(c);
        try {
            c.channel = SocketChannel.open();
            c.channel.configureBlocking(false);
            c.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (!sources.isEmpty()) {
                c.channel.bind(new InetSocketAddress(sources.of(c.id), 0));
            }
            if (c.channel.connect(target)) {
                up(c);
            } else {
                c.key = c.channel.register(selector, SelectionKey.OP_CONNECT, c);
            }
        } catch (IOException e) {
            connectFailed(c, e);
        }
    }

    private void onConnectEvent(SelectionKey key) {
        NioConnection c = (NioConnection) key.attachment();
        try {
            if (c.channel.finishConnect()) {
                up(c);
            }
        } catch (IOException e) {
            connectFailed(c, e);
        }
    }

    private void up(NioConnection c) throws IOException {
        if (c.key == null) {
            c.key = c.channel.register(selector, SelectionKey.OP_READ, c);
        } else {
            c.key.interestOps(SelectionKey.OP_READ);
        }
        pending--;
        open++;
        c.state = NioConnection.State.OPEN;
        run.connected(c.id, (System.nanoTime() - c.connectStart) / 1000);
    }

    private void connectFailed(NioConnection c, IOException e) {
        pending--;
        NioWorker.closeChannel(c);
        run.connectFailed(c.id, e);
    }

    private void expireConnects(long now) {
        long limit = run.settings.connectTimeout().toNanos();
        for (NioConnection c = inFlight.peekFirst(); c != null; c = inFlight.peekFirst()) {
            if (c.state == NioConnection.State.CONNECTING) {
                if (now - c.connectStart < limit) {
                    return;
                }
                pending--;
                NioWorker.closeChannel(c);
                run.failed(ErrorKind.TIMEOUT, ErrorKind.connectFailure(ErrorKind.TIMEOUT, run.settings, c.id, null), false);
            }
            inFlight.removeFirst();
        }
    }
}
