package dev.echolab.lab;

import dev.echolab.server.ReadyLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code bin/server --processes 2} reloaded by SIGHUP while {@code bin/loadgen} keeps 50
 * connections busy and a newcomer opens a new connection every 10 ms: the load generator's exit
 * status 0 says no reply was lost, cut short or wrong on the connections that lived through the
 * reload (the old children drained them), and no newcomer was refused. Here, not in the server's
 * module, because it needs the load generator's jar, which is built after the server's tests.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReloadUnderLoadIT {

    static final Path ROOT = LabCompareIT.ROOT;
    private static final Pattern RELOADED = Pattern.compile("reload: serving with pids (\\S+); old pids (\\S+) drain .*");

    @Test
    void aReloadUnderLoadRefusesNoConnectionAndLosesNoByte(@TempDir Path tmp) throws Exception {
        Process server = new ProcessBuilder(ROOT.resolve("bin/server").toString(), "--port", "0", "--processes", "2",
                "--drain-timeout", "60s").directory(ROOT.toFile()).start();
        Process load = null;
        try {
            BlockingQueue<String> err = lines(server.getErrorStream());
            BlockingQueue<String> out = lines(server.getInputStream());
            int port = ReadyLine.parse(await(out, l -> ReadyLine.parse(l).isPresent(), "ready line")).orElseThrow().port();
            Path log = tmp.resolve("loadgen.log");
            load = new ProcessBuilder(ROOT.resolve("bin/loadgen").toString(), "--port", String.valueOf(port),
                    "--connections", "50", "--warmup", "1s", "--duration", "10s")
                    .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Newcomers newcomers = new Newcomers(port);
            Thread.sleep(3_000); // the load generator's connections are up and busy
            Process hup = new ProcessBuilder("kill", "-HUP", String.valueOf(server.pid())).inheritIO().start();
            assertTrue(hup.waitFor(10, TimeUnit.SECONDS) && hup.exitValue() == 0);
            Matcher reloaded = RELOADED.matcher(await(err, l -> RELOADED.matcher(l).matches(), "the reload's line"));
            assertTrue(reloaded.matches());
            assertTrue(load.isAlive(), "the reload should happen under load; it ended first:\n" + Files.readString(log));
            long servedAtReload = newcomers.served();
            for (String pid : reloaded.group(2).split(",")) {
                await(err, l -> l.matches("old server process \\d+ \\(pid " + pid + "\\) exited with status 0"),
                        "old pid " + pid + " drained and exited 0");
            }
            assertTrue(load.waitFor(60, TimeUnit.SECONDS), "the load generator did not finish");
            List<String> refused = newcomers.stop();
            assertEquals(0, load.exitValue(), "the load generator saw an error:\n" + Files.readString(log));
            assertEquals(List.of(), refused, "newcomers refused or cut during the reload");
            assertTrue(newcomers.served() > servedAtReload, "newcomers were served after the reload");
            server.toHandle().destroy();
            assertTrue(server.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, server.exitValue());
        } finally {
            if (load != null) {
                load.destroyForcibly();
            }
            List<ProcessHandle> left = server.descendants().toList();
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            left.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static BlockingQueue<String> lines(InputStream in) {
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    q.add(line);
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        });
        return q;
    }

    private static String await(BlockingQueue<String> q, Predicate<String> wanted, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() - deadline < 0) {
            String line = q.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && wanted.test(line)) {
                return line;
            }
        }
        return fail("no " + what + " within 60 s");
    }

    /** A new connection every 10 ms: connect, echo 100 bytes, close; each failure kept. */
    private static final class Newcomers {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong served = new AtomicLong();
        private final List<String> failures = new CopyOnWriteArrayList<>();
        private final Thread thread;

        Newcomers(int port) {
            thread = Thread.ofPlatform().start(() -> {
                byte[] message = new byte[100];
                Arrays.fill(message, (byte) 'n');
                for (int i = 0; running.get() && i < 100_000; i++) {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                        s.setSoTimeout(10_000);
                        OutputStream o = s.getOutputStream();
                        o.write(message);
                        assertArrayEquals(message, s.getInputStream().readNBytes(message.length));
                        served.incrementAndGet();
                    } catch (IOException | AssertionError e) {
                        failures.add(e.toString());
                    }
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        long served() {
            return served.get();
        }

        List<String> stop() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
            return failures;
        }
    }
}
