package dev.echolab.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import dev.echolab.loadgen.driver.NioWorker;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The load generator's own JIT does not disturb what it measures: no compiled code of the drivers'
 * hot path is thrown away (deoptimized) inside the measured interval. Before the warm-up recorded
 * what the measurement records, the warm-up's end was a branch never taken until then, and the
 * first measured message sent the whole compiled loop back to the interpreter: the first measured
 * second ran at about half speed with twice the p99 (docs/loadgen.md). The JVM's own deoptimization
 * log, stamped in epoch milliseconds, is set against the measured interval from the JSON.
 */
class WarmupTransitionIT {

    /**
     * A compiled method thrown away: the line names the innermost method inlined where the trap
     * was, so library code on the drivers' path counts too (the recorders, the adders, the
     * selector, the sockets), not only ours.
     */
    private static final Pattern HOT = Pattern.compile(
            "^\\[(\\d+)ms].*level=4 (dev\\.echolab\\.loadgen|org\\.HdrHistogram|java\\.util\\.concurrent\\.atomic"
                    + "|sun\\.nio\\.ch|java\\.net|java\\.io)\\.[\\w$.]+\\(.*$",
            Pattern.MULTILINE);

    /**
     * Any deoptimization, of any code, in the shape {@link #HOT} reads: the positive control. Every
     * run deoptimizes something (the JDK's own start-up code at least), so a log in which this finds
     * nothing stamped around the run means the JVM's log format no longer matches, and {@link #HOT}
     * would find nothing either, whatever happened.
     */
    private static final Pattern ANY = Pattern.compile("^\\[(\\d+)ms].*level=\\d [\\w$.]+\\(.*$", Pattern.MULTILINE);

    /**
     * nio: one selector thread; virtual: many writer threads on the shared recorders and counters.
     *
     * <p>A deoptimization the warm-up's end causes happens in every run (it did, before the fix:
     * the first measured message, every time). Some traps in the JDK's and the libraries' code on
     * this path depend on the machine's timing instead: the first contended {@code LongAdder.add}
     * (it then grows its cells), the first new minimum of an HdrHistogram, a wait that ended with
     * nothing ready. A loaded machine can take one of those for the first time at any moment, the
     * measured seconds included, and the more so the more CPU-bound processes share the cores (the nio
     * loop avoids branching on one of them: {@link NioWorker}'s {@code lookedAt}). So a run with
     * a deoptimization inside the window is run again, and the test fails when the second run has
     * one too: what the warm-up's end causes shows in both runs (the old branch in
     * {@code Run.completed}, put back to check: both drivers, both runs, at the first measured
     * millisecond), and the machine's noise has to strike both runs to fail it (with six hogs,
     * about 1 in 3 per run, so about 1 in 9 for both; with two, none in 20).
     */
    @ParameterizedTest
    @ValueSource(strings = {"nio", "virtual"})
    @Timeout(180)
    void noHotCodeIsDeoptimizedWhileMeasuring(String driver) throws Exception {
        String first = deoptimizedWhileMeasuring(driver);
        if (first.isEmpty()) {
            return;
        }
        System.out.println("WarmupTransitionIT " + driver + ": deoptimized while measuring in the first run, "
                + "running again to tell the warm-up's end from the machine's timing:\n" + first);
        String second = deoptimizedWhileMeasuring(driver);
        assertEquals("", second, () -> "deoptimized while measuring in two runs in a row\nfirst run:\n" + first
                + "\nsecond run:\n" + second);
    }

    /** One run; what hot code was deoptimized inside its measured interval, with the whole log, or empty. */
    private static String deoptimizedWhileMeasuring(String driver) throws Exception {
        Path json = Files.createTempFile("warmup-transition", ".json");
        Path log = Files.createTempFile("warmup-transition", ".log");
        try (ServerProcess server = new ServerProcess()) {
            String java = ProcessHandle.current().info().command().orElse("java");
            Loadgen r = Loadgen.child(List.of(java, "-Xlog:deoptimization=debug:file=" + log + ":timemillis",
                    "-jar", ServerProcess.ROOT.resolve("loadgen/target/echolab-loadgen.jar").toString(),
                    "--port", Integer.toString(server.port()), "--driver", driver, "--connections", "200",
                    "--warmup", "3s", "--duration", "2s", "--json", json.toString()));
            assertEquals(0, r.exit(), r::toString);
            JsonNode doc = Loadgen.json(json);
            long start = (long) Loadgen.number(doc, "/measure_start_epoch_ms");
            long end = (long) Loadgen.number(doc, "/measure_end_epoch_ms");
            assertTrue(end - start >= 1500, () -> "measured " + (end - start) + " ms\n" + r);
            String deopts = Files.readString(log);
            Matcher any = ANY.matcher(deopts);
            int read = 0;
            while (any.find()) {
                long at = Long.parseLong(any.group(1));
                read += at > start - 120_000 && at < end + 10_000 ? 1 : 0;
            }
            assertTrue(read > 0, () -> "no deoptimization read from the log, stamped in epoch milliseconds around the run "
                    + "[" + start + ", " + end + "]: has the log's format changed?\n" + deopts);
            // The end itself is a branch taken for the first time (what it traps, nothing measures):
            // the window stops 100 ms short of it, the resolution of the epoch stamps being 1 ms.
            Matcher m = HOT.matcher(deopts);
            StringBuilder inside = new StringBuilder();
            while (m.find()) {
                long at = Long.parseLong(m.group(1));
                if (at >= start && at < end - 100) {
                    inside.append(m.group()).append('\n');
                }
            }
            return inside.isEmpty() ? "" : "hot code deoptimized while measuring [" + start + ", " + end + "] ms:\n"
                    + inside + "\nwhole log:\n" + deopts;
        } finally {
            Files.deleteIfExists(json);
            Files.deleteIfExists(log);
        }
    }
}
