package dev.echolab.lab.sample;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What perf's counters mean, on processes whose behaviour is known: a shell loop that never
 * makes a system call, sharing one CPU with another, is only ever preempted (involuntary
 * switches); a loop of {@code sleep 0.01} sleeps (voluntary switches, nanosleep calls) in the
 * shell and in each {@code sleep} it forks, which perf follows. Root only, as {@link KernelBillIT}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PerfStatIT {

    @BeforeAll
    static void root() throws IOException {
        assumeTrue(((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0,
                "perf stat on tracepoints needs root; not root here");
    }

    @Test
    void aSleeperSwitchesVoluntarilyAndASpinnerSharingItsCpuIsPreempted() throws Exception {
        List<PerfStat.Event> events = KernelBill.events(PerfStat.tracepoints());
        Process spinner = spin();
        Process other = spin();
        Process sleeper = new ProcessBuilder("sh", "-c", "for i in $(seq 300); do sleep 0.01; done").start();
        try (PerfStat spinning = PerfStat.start(events, List.of(spinner.pid()), List.of());
             PerfStat sleeping = PerfStat.start(events, List.of(sleeper.pid()), List.of())) {
            long from = System.currentTimeMillis() + PerfStat.INTERVAL_MS; // both counting by then
            Thread.sleep(1_500);
            long to = System.currentTimeMillis();
            assertTrue(spinning.awaitCountedPast(to) && sleeping.awaitCountedPast(to), "perf counted past the window");

            KernelBill spun = KernelBill.of(events, spinning.countsBetween(from, to).orElseThrow(), 1_000L);
            assertTrue(spun.involuntaryCtxSwitches >= 10, "preempted by the other spinner: " + spun.involuntaryCtxSwitches);
            assertTrue(spun.voluntaryCtxSwitches * 5 <= spun.involuntaryCtxSwitches,
                    "it never sleeps: " + spun.voluntaryCtxSwitches + " voluntary, " + spun.involuntaryCtxSwitches + " involuntary");
            assertTrue(spun.syscalls.get(KernelBill.TOTAL) <= 10, "a shell loop of ':' makes no call: " + spun.syscalls);

            KernelBill slept = KernelBill.of(events, sleeping.countsBetween(from, to).orElseThrow(), 1_000L);
            assertTrue(slept.voluntaryCtxSwitches >= 50, "each sleep 0.01 sleeps, the shell waits for it: " + slept.voluntaryCtxSwitches);
            assertTrue(slept.syscalls.get("sleep") >= 50, "nanosleep in the forked sleeps: " + slept.syscalls);
            assertTrue(slept.syscalls.get(KernelBill.OTHER) > 0, "fork, exec, wait...: " + slept.syscalls);
        } finally {
            for (Process p : List.of(spinner, other, sleeper)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Counted as one group, the reads and writes of four busy copiers exceed all their calls in no
     * interval by more than a call per copier. Counted one by one they did, by tens of calls (perf read
     * the total, then the reads a moment later, after more calls).
     */
    @Test
    void aPartNeverRunsAheadOfTheWhole() throws Exception {
        List<PerfStat.Event> events = KernelBill.events(PerfStat.tracepoints());
        List<Process> copiers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            copiers.add(new ProcessBuilder("dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=100000000").start());
        }
        try (PerfStat perf = PerfStat.start(events, copiers.stream().map(Process::pid).toList(), List.of())) {
            Thread.sleep(2_000);
            List<PerfStat.Interval> intervals = perf.intervals();
            assertTrue(intervals.size() >= 5, intervals.size() + " intervals");
            for (PerfStat.Interval i : intervals) {
                KernelBill b = KernelBill.of(events, Arrays.stream(i.counts()).asDoubleStream().toArray(), null);
                long parts = b.syscalls.get("read") + b.syscalls.get("write");
                assertTrue(b.syscalls.get("read") >= 10_000, "the copiers are busy reading: " + b.syscalls);
                // a read of the group can still fall between the two tracepoints of one call: a call per task
                assertTrue(b.syscalls.get(KernelBill.TOTAL) >= parts - copiers.size(), "interval ending at " + i.endSeconds() + " s: " + b.syscalls);
            }
        } finally {
            for (Process p : copiers) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** A busy loop that makes no system call, on CPU 0. */
    private static Process spin() throws IOException {
        return new ProcessBuilder("taskset", "-c", "0", "sh", "-c", "while :; do :; done").start();
    }
}
