package dev.echolab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.echolab.server.EchoServers.connect;
import static dev.echolab.server.EchoServers.roundTrip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code --processes 2} through the packaged jar (an integration test: it needs the shaded jar,
 * and real child JVMs): both children accept, and neither SIGTERM nor SIGKILL to the parent leaves
 * a child behind.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessesIT {

    private static final Pattern PER_PROCESS = Pattern.compile("accepted-per-process=(\\d+)/(\\d+)");

    @Test
    void bothChildrenAcceptAndSigtermStopsThemAll() throws Exception {
        try (Group g = Group.start()) {
            assertEquals(2, g.children().size(), "children: " + g.children());
            for (int i = 0; i < 200; i++) {
                try (Socket s = connect(g.port)) {
                    roundTrip(s, "hello " + i + "\n");
                }
            }
            Matcher m = PER_PROCESS.matcher(g.awaitLine(line -> {
                Matcher x = PER_PROCESS.matcher(line);
                return x.find() && Long.parseLong(x.group(1)) + Long.parseLong(x.group(2)) == 200;
            }));
            assertTrue(m.find());
            assertTrue(Long.parseLong(m.group(1)) > 0 && Long.parseLong(m.group(2)) > 0,
                    "SO_REUSEPORT should spread 200 connections over both children: " + m.group());
            List<ProcessHandle> children = g.children();
            g.parent.destroy(); // SIGTERM
            assertTrue(g.parent.waitFor(15, TimeUnit.SECONDS), "parent did not stop after SIGTERM");
            assertEquals(0, g.parent.exitValue());
            assertNoneAlive(children, 5_000); // the parent waits for them before it exits
        }
    }

    /** Two processes share the CPUs: a backend with a thread per CPU by default takes half as many in each. */
    @Test
    void perCpuThreadsAreSharedAmongTheProcesses() throws Exception {
        int share = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        for (String backend : List.of("netty", "aio")) {
            try (Group g = Group.start(backend)) {
                assertTrue(g.settings.contains(" threads=" + share + " "), g.settings);
                for (ProcessHandle child : g.children()) { // what each child was told to run with
                    List<String> args = List.of(child.info().arguments().orElse(new String[0]));
                    int at = args.indexOf("--threads");
                    assertTrue(at >= 0 && args.get(at + 1).equals(String.valueOf(share)), () -> "child " + child.pid() + ": " + args);
                }
                try (Socket s = connect(g.port)) {
                    roundTrip(s, "hello\n");
                }
            }
        }
    }

    @Test
    void sigkillToTheParentLeavesNoChildBehind() throws Exception {
        try (Group g = Group.start()) {
            List<ProcessHandle> children = g.children();
            assertEquals(2, children.size());
            g.parent.destroyForcibly(); // SIGKILL: the parent cannot forward anything
            // The kernel sends each child SIGTERM when its parent dies (Children: setpriv --pdeathsig),
            // and each stops as on any SIGTERM.
            assertNoneAlive(children, 10_000);
        }
    }

    private static void assertNoneAlive(List<ProcessHandle> processes, long ms) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        while (processes.stream().anyMatch(ProcessHandle::isAlive) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertFalse(processes.stream().anyMatch(ProcessHandle::isAlive), "children still alive: " + processes);
    }

    /** A {@code --processes 2} server and its stdout, line by line. */
    private static final class Group implements AutoCloseable {
        final Process parent;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        int port;
        String settings;

        private Group(Process parent) {
            this.parent = parent;
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the parent is gone
                }
            });
        }

        static Group start() throws Exception {
            return start("nio");
        }

        static Group start(String backend) throws Exception {
            Path jar = Path.of("target", "echolab-server.jar");
            assertTrue(Files.exists(jar), "run through 'mvnw verify': needs " + jar.toAbsolutePath());
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(),
                    "--backend", backend, "--port", "0", "--processes", "2")
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            Group g = new Group(p);
            g.settings = g.awaitLine(line -> line.startsWith("echolab server: "));
            String ready = g.awaitLine(line -> ReadyLine.parse(line).filter(r -> r.details().startsWith("processes=2")).isPresent());
            g.port = ReadyLine.parse(ready).orElseThrow().port();
            return g;
        }

        /** The first line of the group's output that is {@code wanted}, within 30 s. */
        String awaitLine(Predicate<String> wanted) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline) {
                String line = lines.poll(200, TimeUnit.MILLISECONDS);
                if (line != null && wanted.test(line)) {
                    return line;
                }
            }
            return fail("no such line within 30 s");
        }

        List<ProcessHandle> children() {
            List<ProcessHandle> c = parent.children().toList();
            assertNotNull(c);
            return c;
        }

        @Override
        public void close() throws InterruptedException {
            List<ProcessHandle> left = parent.descendants().toList();
            parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            left.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
