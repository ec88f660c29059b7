package dev.echolab.lab.report;

import dev.echolab.lab.run.CaseResult;
import dev.echolab.lab.run.Verdict;
import dev.echolab.lab.sample.KernelBill;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel bill's tables: per message, medians of the repetitions, kinds no row made left out, and why a case has no counts. */
class KernelTablesTest {

    /** A bill of {@code read}, {@code write}, {@code epoll_wait} calls per message (every other kind none), and switches. */
    static KernelBill bill(double read, double write, double epollWait, double voluntary, double involuntary) {
        KernelBill b = new KernelBill();
        b.syscallsPerMsg = new LinkedHashMap<>();
        for (KernelBill.Kind k : KernelBill.Kind.values()) {
            b.syscallsPerMsg.put(k.key, switch (k) {
                case READ -> read;
                case WRITE -> write;
                case EPOLL_WAIT -> epollWait;
                default -> 0.0;
            });
        }
        b.syscallsPerMsg.put(KernelBill.OTHER, 0.0);
        b.syscallsPerMsg.put(KernelBill.TOTAL, read + write + epollWait);
        b.voluntaryCtxSwitchesPerMsg = voluntary;
        b.involuntaryCtxSwitchesPerMsg = involuntary;
        return b;
    }

    @Test
    void theTableShowsPerMessageFiguresAndWhyOneIsMissing() {
        CaseResult nio = CaseResult.of("nio", false, "load", 20, "none", 1);
        nio.kernelBill = bill(1, 1, 0.1, 0.04, 0.01);
        nio.kernelBill.threadsSummary = "13 sleeping in futex (futex_do_wait), 1 sleeping in epoll_wait (do_epoll_wait)";
        CaseResult blocking = CaseResult.of("blocking", false, "load", 20, "none", 1);
        blocking.kernelBill = KernelBill.unavailable("perf not installed (apt-get install linux-perf)");

        Tables.Table t = KernelTables.load("Kernel bill, work none", List.of(nio, blocking));

        assertEquals(List.of("backend", "conns", "syscalls / msg", "read/recv", "write/send", "epoll_wait", "other",
                "voluntary cs / msg", "involuntary cs / msg", "threads (mid-measurement)"), t.headers());
        assertEquals(List.of("nio", "20", "2.10", "1.00", "1.00", "0.10", "0.00", "0.04", "0.01",
                "13 sleeping in futex (futex_do_wait), 1 sleeping in epoll_wait (do_epoll_wait)"), t.rows().get(0));
        assertEquals(List.of("blocking", "20", "unavailable: perf not installed (apt-get install linux-perf)", "-", "-", "-",
                "-", "-", "-", "-"), t.rows().get(1));
        assertTrue(t.note().contains("epoll_ctl, futex, io_uring_enter, poll/select, accept, sleep"), t.note());
    }

    @Test
    void theMedianOfTheRepetitionsLeavesTheDisturbedOut() {
        List<CaseResult> reps = List.of(rep(1, 1.0, null), rep(2, 3.0, null), rep(3, 2.0, null), rep(4, 50.0, Verdict.Kind.DISTURBED));
        Tables.Table t = KernelTables.load("t", reps);
        assertEquals(1, t.rows().size(), "one row for the four repetitions");
        assertEquals("2.00", t.rows().getFirst().get(t.headers().indexOf("read/recv")));
    }

    private static CaseResult rep(int n, double readsPerMsg, Verdict.Kind verdict) {
        CaseResult c = CaseResult.of("blocking", false, "load", 50, "none", n);
        c.verdict = verdict;
        c.kernelBill = bill(readsPerMsg, 1, 0, 1, 0);
        return c;
    }

    @Test
    void theIdleTableShowsWhereTheThreadsWait() {
        CaseResult idle = CaseResult.of("blocking", false, "idle", 500, "none", 1);
        idle.kernelBill = new KernelBill();
        idle.kernelBill.threadsSummary = "500 sleeping in read (wait_woken), 13 sleeping in futex (futex_do_wait)";
        List<Tables.Table> tables = KernelTables.of(List.of(idle));
        assertEquals(1, tables.size());
        assertEquals(List.of(List.of("blocking", "500", "500 sleeping in read (wait_woken), 13 sleeping in futex (futex_do_wait)")),
                tables.getFirst().rows());
    }

    @Test
    void theChaptersSectionHasItsHeadingNoteAndTable() {
        CaseResult nio = CaseResult.of("nio", false, "load", 50, "cpu:1ms", 1);
        nio.serverArgs = List.of("--processes", "2");
        nio.kernelBill = bill(1, 1, 0.5, 0.5, 0);
        String md = KernelTables.markdownSection("Kernel bill: processes", List.of(nio));
        assertTrue(md.startsWith("### Kernel bill: processes\n\n" + KernelTables.METHOD), md);
        assertTrue(md.contains("| nio --processes 2 | 50    | 2.50"), md);
    }
}
