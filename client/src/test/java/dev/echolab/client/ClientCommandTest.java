package dev.echolab.client;

import dev.echolab.common.BadValues;
import dev.echolab.server.Backend;
import dev.echolab.server.EchoServer;
import dev.echolab.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client against a real backend ({@code nio}), in-process, with captured streams. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClientCommandTest {

    static EchoServer server;
    static int port;

    @BeforeAll
    static void startServer() throws Exception {
        server = EchoServer.create(ServerConfig.loopback(Backend.NIO));
        server.start();
        port = server.localAddress().getPort();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    record Run(int exit, List<String> out, List<String> err) {
    }

    static Run run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ClientCommand cmd = new ClientCommand(new BufferedReader(new StringReader(stdin)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit = ClientCommand.commandLine(cmd).execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8).lines().toList(),
                err.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void sendsTheSeedMessagesWithCount() {
        Run r = run("", "--port", String.valueOf(port), "--count", "3");
        assertEquals(0, r.exit, r.err.toString());
        assertEquals(3, r.out.size());
        for (int n = 0; n < 3; n++) {
            assertTrue(r.out.get(n).matches("Thread-0 say hello " + n + " {2}\\(\\d+ us\\)"), r.out.get(n));
        }
    }

    @Test
    void sendsOneCustomMessage() {
        Run r = run("", "--port", String.valueOf(port), "--message", "ping pong");
        assertEquals(0, r.exit);
        assertEquals(1, r.out.size());
        assertTrue(r.out.get(0).startsWith("ping pong  ("), r.out.get(0));
    }

    @Test
    void echoesEveryLineOfStandardInput() {
        Run r = run("first line\n\nthird: ünïcödé\n", "--port", String.valueOf(port));
        assertEquals(0, r.exit);
        assertEquals(3, r.out.size(), r.out.toString());
        assertTrue(r.out.get(0).startsWith("first line  ("));
        assertTrue(r.out.get(1).startsWith("  ("), "an empty line echoes as empty: " + r.out.get(1));
        assertTrue(r.out.get(2).startsWith("third: ünïcödé  ("));
    }

    @Test
    void saysConnectionRefusedInOneLine() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Run r = run("", "--port", String.valueOf(closedPort), "--count", "1");
        assertEquals(1, r.exit);
        assertEquals(List.of("connection refused: 127.0.0.1:" + closedPort), r.err);
    }

    @Test
    void rejectsBadUsageWithExitTwo() {
        assertEquals(2, run("", "--count", "0").exit);
        assertEquals(2, run("", "--port", "x").exit);
        assertEquals(2, run("", "--timeout", "soon").exit);
    }

    /** Every option that takes a value, with values it must refuse; a new option without any fails the test. */
    static final Map<String, List<String>> BAD_VALUES = Map.of(
            "--host", List.of(""),
            "--port", List.of("0", "70000", "x"),
            "--message", List.of("two\nlines"),
            "--count", List.of("0", "-1", "some"),
            "--timeout", List.of("0", "never", "PT5S"));

    @Test
    void everyOptionRefusesABadValueInOneLineThenTheUsageWithExitTwo() {
        BadValues.assertEveryOptionRefusesItsBadValues(ClientCommand.commandLine(new ClientCommand()).getCommandSpec(),
                BAD_VALUES, (option, value) -> {
                    Run r = option.equals("--port") ? run("", option, value) : run("", option, value, "--port", String.valueOf(port));
                    return new BadValues.Refusal(r.exit(), String.join("\n", r.err()));
                });
    }

    @Test
    void echoReturnsMinusOneForAnExactEchoAndTheFirstDifferingByteOtherwise() throws Exception {
        byte[] msg = "abc\n".getBytes(StandardCharsets.UTF_8);
        try (EchoClient c = EchoClient.connect("127.0.0.1", port, Duration.ofSeconds(5), Duration.ofSeconds(5))) {
            assertEquals(-1, c.echo(msg, new byte[msg.length]));
            assertThrows(IllegalArgumentException.class, () -> c.echo(msg, new byte[1]));
        }
        try (ServerSocket liar = liar(msg.length)) {
            try (EchoClient c = EchoClient.connect("127.0.0.1", liar.getLocalPort(), Duration.ofSeconds(5), Duration.ofSeconds(5))) {
                assertEquals(2, c.echo(msg, new byte[msg.length]));
            }
        }
    }

    @Test
    void theClientSaysWhereAReplyDiffersAndExitsOneWithoutPrintingIt() throws Exception {
        try (ServerSocket liar = liar("abc 0\n".length())) {
            Run r = run("", "--port", String.valueOf(liar.getLocalPort()), "--message", "abc", "--count", "3");
            assertEquals(1, r.exit, r.toString());
            assertEquals(List.of("echo differs at byte 2: sent 'abc 0', got 'abb 0'"), r.err);
            assertEquals(List.of(), r.out, "a differing reply is not printed as an echo, and no message follows it");
        }
    }

    /**
     * A server for one client that reads {@code length} bytes and sends them back with the third
     * byte changed, then closes; its thread ends with the listening socket's close at the latest.
     */
    private static ServerSocket liar(int length) throws java.io.IOException {
        ServerSocket liar = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(() -> {
            try (java.net.Socket s = liar.accept()) {
                byte[] got = s.getInputStream().readNBytes(length);
                got[2] ^= 1;
                s.getOutputStream().write(got);
                s.getInputStream().read(); // until the client closes
            } catch (java.io.IOException e) {
                // the test closed the listening socket, or the client went: nothing more to answer
            }
        });
        return liar;
    }
}
