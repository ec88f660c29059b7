package dev.echolab.client;

import dev.echolab.common.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code bin/client}: an interactive line client. Each line read from stdin is sent with its
 * newline; the echo is printed with its round-trip time. {@code --count N} sends the seed
 * program's messages instead ({@code Thread-0 say hello 0}, {@code 1}, ...) and exits.
 */
@Command(name = "client", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send lines to an echo server and print each reply with its round-trip time.",
                "Without --message or --count, lines are read from standard input until it ends."})
public final class ClientCommand implements Callable<Integer> {

    static final String SEED_MESSAGE = "Thread-0 say hello";

    @Option(names = "--host", paramLabel = "HOST", description = "Server address (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "PORT", description = "Server port (default: ${DEFAULT-VALUE}).")
    int port = 8080;

    @Option(names = "--message", paramLabel = "TEXT",
            description = "Send TEXT once and exit; with --count, send 'TEXT <n>' for n = 0 .. N-1.")
    String message;

    @Option(names = "--count", paramLabel = "N",
            description = "Send N messages 'TEXT <n>' (TEXT defaults to '" + SEED_MESSAGE + "') and exit.")
    Integer count;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s",
            description = "Connect and reply timeout, e.g. 5s or 500ms (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Spec
    CommandSpec spec;

    private final BufferedReader stdin;
    private final PrintStream out;
    private final PrintStream err;

    public ClientCommand() {
        this(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.out, System.err);
    }

    ClientCommand(BufferedReader stdin, PrintStream out, PrintStream err) {
        this.stdin = stdin;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(commandLine(new ClientCommand()).execute(args));
    }

    public static CommandLine commandLine(ClientCommand command) {
        return Cli.commandLine(command, command.out, command.err);
    }

    @Override
    public Integer call() throws IOException {
        if (count != null && count < 1) {
            throw Cli.invalid(spec.commandLine(), "--count", "a count of 1 or more");
        }
        if (port < 1 || port > 65_535) {
            throw Cli.invalid(spec.commandLine(), "--port", "a port from 1 to 65535");
        }
        if (host.isBlank()) {
            throw Cli.invalid(spec.commandLine(), "--host", "an address or a host name, e.g. 127.0.0.1");
        }
        if (message != null && (message.contains("\n") || message.contains("\r"))) {
            throw Cli.invalid(spec.commandLine(), "--message", "one line of text (each message ends with the newline the client adds)");
        }
        if (timeout.toMillis() < 1) {
            throw Cli.invalid(spec.commandLine(), "--timeout", "a duration of 1ms or more");
        }
        try (EchoClient client = EchoClient.connect(host, port, timeout, timeout)) {
            if (count == null && message == null) {
                return interactive(client);
            }
            String text = message == null ? SEED_MESSAGE : message;
            if (count == null) {
                return send(client, text) ? 0 : 1;
            }
            for (int n = 0; n < count; n++) {
                if (!send(client, text + " " + n)) {
                    return 1;
                }
            }
            return 0;
        } catch (ConnectException e) {
            err.println("connection refused: " + host + ":" + port);
        } catch (UnknownHostException e) {
            err.println("unknown host: " + host);
        } catch (SocketTimeoutException e) {
            err.println("timed out after " + timeout.toMillis() + " ms talking to " + host + ":" + port);
        } catch (EOFException e) {
            err.println("the server closed the connection: " + e.getMessage());
        } catch (IOException e) {
            err.println("connection to " + host + ":" + port + " failed: " + e.getMessage());
        }
        return 1;
    }

    private int interactive(EchoClient client) throws IOException {
        String line;
        while ((line = stdin.readLine()) != null) {
            if (!send(client, line)) {
                return 1;
            }
        }
        return 0;
    }

    /** Sends one line (with its newline), prints the echo and its round trip; false on a mismatch. */
    private boolean send(EchoClient client, String line) throws IOException {
        byte[] message = (line + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] reply = new byte[message.length];
        long start = System.nanoTime();
        int diff = client.echo(message, reply);
        long micros = (System.nanoTime() - start) / 1_000;
        String text = new String(reply, 0, reply.length - 1, StandardCharsets.UTF_8);
        if (diff >= 0) {
            err.println("echo differs at byte " + diff + ": sent '" + line + "', got '" + text + "'");
            return false;
        }
        out.println(text + "  (" + micros + " us)");
        return true;
    }
}
