package dev.echolab.server;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

import static dev.echolab.server.EchoContractTest.roundTrip;
import static dev.echolab.server.ServerLauncherIT.READY;
import static dev.echolab.server.ServerLauncherIT.SERVER;
import static dev.echolab.server.ServerLauncherIT.reader;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Out of file descriptors (DESIGN section 4): {@code bin/server} runs with an open-file limit of
 * {@value #FD_LIMIT} ({@code ulimit -n} in the child's shell) and {@code --max-connections} set far
 * above it, so the gate does not step in and {@code accept} really fails with EMFILE. Then, on every
 * backend and variant: existing connections keep working, the server does not spin (CPU from
 * /proc/PID/stat over 2 s), it says so once, and once clients leave, new ones are served.
 *
 * <p>netty on io_uring passes only because {@code Transports} turns Netty's multishot accept off:
 * with it, Netty re-armed each failed accept at once and the loop spun (docs/reliability.md).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FdExhaustionIT {

    private static final int FD_LIMIT = 256;
    /** More than fit: the rest wait in the listen backlog, and accept keeps failing. */
    private static final int CLIENTS = 300;
    private static final int KEPT = 10;
    private static final int CLOSED = 100;
    private static final double MAX_CPU_SHARE = 0.25;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.echolab.server.EchoContractTest#configs")
    void runningOutOfDescriptorsIsSurvivedWithoutSpinning(ServerConfig config) throws Exception {
        Path stderr = Files.createTempFile("echolab-fd-", ".err");
        Process p = new ProcessBuilder(command(config)).redirectError(stderr.toFile()).start();
        List<Socket> clients = new ArrayList<>();
        try {
            int port = awaitReadyPort(reader(p));
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(connect(port));
                if (i < KEPT) {
                    roundTrip(clients.get(i), "early " + i + "\n");
                }
            }
            Thread.sleep(1_000); // let the server fill its descriptors and hit the limit
            double cpu = cpuShare(p.pid(), 2_000);
            assertTrue(cpu < MAX_CPU_SHARE, String.format("server used %.0f%% of a core at the fd limit", cpu * 100));
            for (int i = 0; i < KEPT; i++) {
                roundTrip(clients.get(i), "still served " + i + "\n");
            }
            for (int i = KEPT; i < KEPT + CLOSED; i++) {
                clients.get(i).close();
            }
            try (Socket fresh = connect(port)) {
                roundTrip(fresh, "served once descriptors are free\n");
            }
        } finally {
            for (Socket s : clients) {
                s.close();
            }
            p.toHandle().destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
        try {
            assertSaidOnceWithoutStackTrace(Files.readString(stderr));
        } finally {
            Files.delete(stderr);
        }
    }

    /**
     * {@code bash -c 'ulimit -n 256; exec bin/server ...'}. The pool gets 400 threads here: with its
     * default 200 the threads, not the descriptors, would be what runs out first (its own lesson).
     */
    private static List<String> command(ServerConfig config) {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "ulimit -n " + FD_LIMIT + " && exec \"$0\" \"$@\"",
                SERVER.toString(), "--backend", config.backend().id(), "--port", "0", "--max-connections", "100000"));
        if (config.backend() == Backend.POOL) {
            cmd.addAll(List.of("--threads", "400"));
        } else if (config.threads() > 0) {
            cmd.addAll(List.of("--threads", String.valueOf(config.threads())));
        }
        if (config.backend() == Backend.NETTY) {
            cmd.addAll(List.of("--transport", config.transport().id()));
        }
        return cmd;
    }

    private static int awaitReadyPort(BufferedReader out) throws IOException {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            Matcher m = READY.matcher(line);
            if (m.matches()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new IOException("the server exited before its ready line");
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(15_000);
        return s;
    }

    /** The process's CPU time (user + system, /proc/PID/stat) over {@code ms}, as a share of one core. */
    static double cpuShare(long pid, long ms) throws Exception {
        long before = cpuTicks(pid);
        long start = System.nanoTime();
        Thread.sleep(ms);
        long ticks = cpuTicks(pid) - before;
        double seconds = (System.nanoTime() - start) / 1e9;
        return ticks / 100.0 / seconds; // USER_HZ is 100 on Linux
    }

    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14 and 15
    }

    private static void assertSaidOnceWithoutStackTrace(String err) {
        long said = err.lines().filter(l -> l.contains("accept failed")).count();
        assertTrue(said >= 1 && said <= 5, "accept failures logged " + said + " times:\n" + err);
        assertFalse(err.lines().anyMatch(l -> l.matches("\\s+at .*")), "stack trace:\n" + err);
    }
}
