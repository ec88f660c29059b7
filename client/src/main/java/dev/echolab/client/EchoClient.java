package dev.echolab.client;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;

/**
 * A small blocking echo client: connect, send a message, read back exactly as many bytes and check
 * they are the same. One instance is one connection; not thread-safe. The load generator's
 * {@code platform} and {@code virtual} drivers run one of these per thread.
 */
public final class EchoClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private EchoClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects within {@code timeout}; reads then time out after {@code readTimeout} (zero: never). */
    public static EchoClient connect(String host, int port, Duration timeout, Duration readTimeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) readTimeout.toMillis());
            return new EchoClient(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    public static EchoClient connect(String host, int port) throws IOException {
        return connect(host, port, Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    /** Sends {@code message} without waiting for the echo. */
    public void send(byte[] message) throws IOException {
        out.write(message);
        out.flush();
    }

    /** Reads exactly {@code into.length} bytes; {@link EOFException} if the server closes first. */
    public void receive(byte[] into) throws IOException {
        int done = 0;
        while (done < into.length) {
            int n = in.read(into, done, into.length - done);
            if (n < 0) {
                throw new EOFException("server closed the connection after " + done + " of " + into.length + " bytes");
            }
            done += n;
        }
    }

    /**
     * Sends {@code message}, reads the echo into {@code reply} (same length) and compares them.
     *
     * @return the index of the first differing byte, or -1 when the echo is exact
     */
    public int echo(byte[] message, byte[] reply) throws IOException {
        if (reply.length != message.length) {
            throw new IllegalArgumentException("reply buffer must be as long as the message");
        }
        send(message);
        receive(reply);
        return Arrays.mismatch(message, reply);
    }

    /** Tells the server we are done sending (half-close); the echo of what was sent still arrives. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Reads until the server closes; true when it closed without sending anything more. */
    public boolean awaitClose() throws IOException {
        return in.read() < 0;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
