package dev.echolab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.echolab.server.EchoContractTest.roundTrip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/server}'s contract for the chapter's options, through the packaged jar: the help
 * names everything, each new backend starts, echoes and stops on SIGTERM with status 0, and an
 * unavailable Netty transport is one line and status 1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerCommandIT {

    private static final Pattern READY = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) backend=(\\S+).*");

    @Test
    void helpListsEveryBackendTransportAndOption() throws Exception {
        Process p = server("--help");
        String help = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        for (Backend b : Backend.values()) {
            assertTrue(help.contains("  " + b.id() + " "), "help lacks backend " + b.id());
        }
        for (Transport t : Transport.values()) {
            assertTrue(help.contains("  " + t.id() + " "), "help lacks transport " + t.id());
        }
        for (String option : List.of("--transport", "--work", "--offload", "--processes", "--threads")) {
            assertTrue(help.contains(option + "="), "help lacks " + option);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nonblocking", "aio", "nio --threads 2", "netty --transport nio"})
    void startsEchoesAndStopsOnSigtermWithStatusZero(String args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("--port", "0", "--backend"));
        argv.addAll(List.of(args.split(" ")));
        Process p = server(argv.toArray(String[]::new));
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Matcher ready = awaitReady(out);
            assertEquals(args.split(" ")[0], ready.group(2));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(ready.group(1))), 5_000);
                s.setSoTimeout(10_000);
                roundTrip(s, "hello " + args + "\n");
                p.destroy(); // SIGTERM, with a client still connected
                assertTrue(p.waitFor(5, TimeUnit.SECONDS), "did not stop within 5 s of SIGTERM");
            }
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    /** Netty reads this property once per JVM, so only a fresh process can show the failure. */
    @Test
    void anExplicitUnavailableTransportIsOneLineAndStatusOne() throws Exception {
        Process p = server(List.of("-Dio.netty.transport.noNative=true"), "--backend", "netty", "--transport", "epoll", "--port", "0");
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue());
        List<String> lines = err.lines().filter(l -> !l.startsWith("WARNING")).toList();
        assertEquals(1, lines.size(), "one line: " + err);
        assertTrue(lines.getFirst().contains("netty transport epoll is not available"), err);
        assertTrue(lines.getFirst().contains("noNative"), "Netty's reason: " + err);
    }

    private static Matcher awaitReady(BufferedReader out) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            Matcher m = READY.matcher(line);
            if (m.matches()) {
                return m;
            }
        }
        throw new AssertionError("the server ended without a ready line");
    }

    private static Process server(String... args) throws IOException {
        return server(List.of(), args);
    }

    private static Process server(List<String> jvmArgs, String... args) throws IOException {
        Path jar = Path.of("target", "echolab-server.jar");
        assertTrue(Files.exists(jar), "run through 'mvnw verify': needs " + jar.toAbsolutePath());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", jar.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).start();
    }
}
