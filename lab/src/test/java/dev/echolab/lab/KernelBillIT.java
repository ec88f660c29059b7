package dev.echolab.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kernel bill end to end, through {@code bin/lab}: the figures that tell the models apart
 * come out where they should. A blocking server waits for each connection in a read on a thread
 * of its own and never calls epoll_wait; nio's one loop waits in epoll_wait; both read and write
 * once per message (one message in flight per connection); and a server of several processes is
 * counted in all of them. perf's tracepoints need root (as CI runs, with linux-perf installed by
 * {@code .ci/run}): as anyone else this is skipped, saying so.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class KernelBillIT {

    static final int CONNECTIONS = 20;

    @BeforeAll
    static void root() throws IOException {
        assumeTrue(((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0,
                "perf stat on tracepoints needs root; not root here");
    }

    @Test
    void blockingWaitsInAReadPerConnectionAndNioInEpollWait(@TempDir Path out) throws Exception {
        run(out, "compare", "--backends", "blocking,nio", "--connections", String.valueOf(CONNECTIONS), "--duration", "2s",
                "--warmup", "1s", "--work", "none", "--repeat", "1", "--retries", "0", "--idle", String.valueOf(CONNECTIONS),
                "--no-reference");
        JsonNode cases = new ObjectMapper().readTree(out.resolve("results.json").toFile()).get("cases");
        JsonNode blocking = find(cases, "blocking", "load");
        JsonNode nio = find(cases, "nio", "load");

        for (JsonNode c : List.of(blocking, nio)) {
            JsonNode perMsg = counted(c);
            assertBetween(0.8, 1.25, perMsg.get("read").asDouble(), "one read per message: " + c.get("backend"));
            assertBetween(0.8, 1.25, perMsg.get("write").asDouble(), "one write per message: " + c.get("backend"));
            // the whole holds its parts, up to a call per thread (PerfStatIT#aPartNeverRunsAheadOfTheWhole)
            double perThread = c.get("server_threads_peak").asDouble() / c.get("messages").asDouble();
            assertTrue(perMsg.get("total").asDouble() >= perMsg.get("read").asDouble() + perMsg.get("write").asDouble() - perThread,
                    perMsg + ", a call per thread " + perThread);
        }
        assertTrue(counted(blocking).get("epoll_wait").asDouble() < 0.01, "blocking never waits in epoll: " + counted(blocking));
        // one message in flight per connection: one wake-up of the loop serves at most one message of each
        assertTrue(counted(nio).get("epoll_wait").asDouble() >= 0.8 / CONNECTIONS, "nio waits in epoll_wait: " + counted(nio));
        assertTrue(blocking.get("kernel_bill").get("voluntary_ctx_switches_per_msg").asDouble() >= 0.5,
                "a blocking thread sleeps in its read between messages: " + blocking.get("kernel_bill"));
        assertTrue(blocking.get("kernel_bill").get("involuntary_ctx_switches_per_msg").isNumber(), blocking.get("kernel_bill").toString());

        // where the threads are: one per connection in a read, or runnable (its data came; Linux then
        // reports no call) when the server's CPU is busy; none in nio
        assertTrue(inCall(blocking, "read", "recvfrom") + inState(blocking, "R") >= CONNECTIONS, "blocking under load: " + threads(blocking));
        assertTrue(inCall(nio, "read", "recvfrom") <= 1, "nio under load: " + threads(nio));
        double at = blocking.get("kernel_bill").get("threads_at_s").asDouble();
        assertTrue(at > 0 && at < 2, "looked at within the measured interval: " + at);
        JsonNode blockingIdle = find(cases, "blocking", "idle");
        JsonNode nioIdle = find(cases, "nio", "idle");
        assertEquals(CONNECTIONS, inCall(blockingIdle, "read", "recvfrom"), "idle: one thread per connection in a read: " + threads(blockingIdle));
        assertEquals(0, inCall(blockingIdle, "epoll_wait", "epoll_pwait"), threads(blockingIdle));
        assertEquals(0, inCall(nioIdle, "read", "recvfrom"), threads(nioIdle));
        assertEquals(1, inCall(nioIdle, "epoll_wait", "epoll_pwait"), "idle: nio's one loop in epoll_wait: " + threads(nioIdle));

        String html = Files.readString(out.resolve("report.html"));
        String md = Files.readString(out.resolve("report.md"));
        for (String report : List.of(html, md)) {
            assertTrue(report.contains("Kernel bill, work none") && report.contains("Where the threads wait, idle connections")
                    && report.contains(CONNECTIONS + " sleeping in read (wait_woken)"), report);
        }
    }

    /** nio --processes 2 serves from two child JVMs: only counting the whole tree finds its reads. */
    @Test
    void aServerOfSeveralProcessesIsCountedInAllOfThem(@TempDir Path out) throws Exception {
        String output = run(out, "chapter", "--experiment", "processes", "--runtimes", "nio", "--duration", "2s", "--warmup", "1s",
                "--retries", "0");
        JsonNode cases = new ObjectMapper().readTree(out.resolve("results.json").toFile()).get("cases");
        assertEquals(2, cases.size(), cases.toString());
        for (JsonNode c : cases) {
            assertBetween(0.8, 1.25, counted(c).get("read").asDouble(), "one read per message: " + c.get("server_args"));
        }
        assertTrue(output.contains("syscalls / msg"), "the kernel bill on stdout:\n" + output);
        assertTrue(Files.readString(out.resolve("report.md")).contains("### Kernel bill: processes"));
    }

    private static String run(Path out, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(LabCompareIT.ROOT.resolve("bin/lab").toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--out", out.toString()));
        Process p = new ProcessBuilder(cmd).directory(LabCompareIT.ROOT.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(200, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        return output;
    }

    private static JsonNode find(JsonNode cases, String backend, String scenario) {
        for (JsonNode c : cases) {
            if (c.get("backend").asText().equals(backend) && c.get("scenario").asText().equals(scenario)) {
                assertEquals("ok", c.get("status").asText(), c.toString());
                return c;
            }
        }
        throw new AssertionError("no " + backend + " " + scenario + " case in " + cases);
    }

    /** The case's system calls per message; fails with perf's reason when there are none. */
    private static JsonNode counted(JsonNode c) {
        JsonNode bill = c.get("kernel_bill");
        assertTrue(bill.get("unavailable").isNull(), "counted: " + bill.get("unavailable"));
        return bill.get("syscalls_per_msg");
    }

    private static int inCall(JsonNode c, String... syscalls) {
        int n = 0;
        for (JsonNode g : c.get("kernel_bill").get("threads")) {
            if (List.of(syscalls).contains(g.get("syscall").asText())) {
                n += g.get("threads").asInt();
            }
        }
        return n;
    }

    private static int inState(JsonNode c, String state) {
        int n = 0;
        for (JsonNode g : c.get("kernel_bill").get("threads")) {
            if (g.get("state").asText().equals(state)) {
                n += g.get("threads").asInt();
            }
        }
        return n;
    }

    private static String threads(JsonNode c) {
        return c.get("kernel_bill").get("threads_summary").asText();
    }

    private static void assertBetween(double low, double high, double v, String what) {
        assertTrue(v >= low && v <= high, what + ": " + v + " not in [" + low + ", " + high + "]");
    }
}
