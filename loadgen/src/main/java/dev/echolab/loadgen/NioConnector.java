package dev.echolab.loadgen;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * The connect phase of one {@link NioWorker}: non-blocking connects on the worker's selector, at
 * most {@value #MAX_CONNECTING} handshakes in flight (thousands of SYNs at once would overflow the
 * server's accept queue and turn into retransmits a second later), each with its own
 * {@code --connect-timeout}. Connections that come up are left registered for {@code OP_READ}.
 */
final class NioConnector {

    static final int MAX_CONNECTING = 128;

    private final Run run;
    private final Selector selector;
    private final NioConnection[] connections;
    private final InetSocketAddress target;
    private int pending;
    private int open;

    NioConnector(Run run, Selector selector, NioConnection[] connections) {
        this.run = run;
        this.selector = selector;
        this.connections = connections;
        this.target = new InetSocketAddress(run.settings.host(), run.settings.port());
    }

    /** Returns when every connection is up or has failed; the number that came up. */
    int connectAll() throws IOException {
        int next = 0;
        while (next < connections.length || pending > 0) {
            while (next < connections.length && pending < MAX_CONNECTING) {
                startConnect(connections[next++]);
            }
            if (pending > 0) {
                selector.select(this::onConnectEvent, 10);
                expireConnects(System.nanoTime());
            }
        }
        return open;
    }

    private void startConnect(NioConnection c) {
        c.connectStart = System.nanoTime();
        c.state = NioConnection.State.CONNECTING;
        pending++;
        try {
            c.channel = SocketChannel.open();
            c.channel.configureBlocking(false);
            c.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
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
        for (NioConnection c : connections) {
            if (c.state == NioConnection.State.CONNECTING && now - c.connectStart >= limit) {
                pending--;
                NioWorker.closeChannel(c);
                run.failed(ErrorKind.TIMEOUT, ErrorKind.connectFailure(ErrorKind.TIMEOUT, run.settings, c.id, null), false);
            }
        }
    }
}
