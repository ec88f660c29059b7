package dev.echolab.lab.sample;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** A busy loop that makes no system call, on CPU 0. */
    private static Process spin() throws IOException {
        return new ProcessBuilder("taskset", "-c", "0", "sh", "-c", "while :; do :; done").start();
    }
}
