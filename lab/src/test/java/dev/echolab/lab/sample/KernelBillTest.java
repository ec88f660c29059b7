package dev.echolab.lab.sample;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading perf stat's interval output, and the kernel bill's arithmetic per message. */
class KernelBillTest {

    static final PerfStat.Event READ = new PerfStat.Event("syscalls:sys_enter_read", null);
    static final PerfStat.Event RECVFROM = new PerfStat.Event("syscalls:sys_enter_recvfrom", null);
    static final PerfStat.Event WRITE = new PerfStat.Event("syscalls:sys_enter_write", null);
    static final PerfStat.Event EPOLL_WAIT = new PerfStat.Event("syscalls:sys_enter_epoll_wait", null);
    static final List<PerfStat.Event> EVENTS = List.of(KernelBill.ALL_SYSCALLS, READ, RECVFROM, WRITE, EPOLL_WAIT,
            KernelBill.SWITCHES, KernelBill.VOLUNTARY_SWITCHES);

    /** Lines as perf 6.1 prints them with {@code -x, -I 200}: time, count, unit, event, run time, percentage. */
    @Test
    void perfsCsvIntervalLinesAreRead() {
        assertEquals(Optional.of(new PerfStat.Line(1.402705552, 97350L, "syscalls:sys_enter_read")),
                PerfStat.parse("     1.402705552,97350,,syscalls:sys_enter_read,1413087543,100.00,,"));
        assertEquals(Optional.of(new PerfStat.Line(0.200312328, null, "raw_syscalls:sys_enter")),
                PerfStat.parse("     0.200312328,<not counted>,,raw_syscalls:sys_enter,0,100.00,,"), "a counter that did not run");
        assertEquals(Optional.of(new PerfStat.Line(0.4, null, "sched:sched_switch")),
                PerfStat.parse("0.400000000,<not supported>,,sched:sched_switch,0,0.00,,"));
        assertTrue(PerfStat.parse("# started on Sat Dec  5 01:03:24 2026").isEmpty());
        assertTrue(PerfStat.parse("event syntax error: 'syscalls:sys_enter_nope'").isEmpty());
        assertTrue(PerfStat.parse("195921,,raw_syscalls:sys_enter,1413087543,100.00,,").isEmpty(), "a total, not an interval");
        assertTrue(PerfStat.parse("").isEmpty());
    }

    @Test
    void anIntervalIsItsLinesInTheOrderOfTheEventsAndNotCountedIsZero() {
        List<PerfStat.Event> events = List.of(KernelBill.ALL_SYSCALLS, READ, KernelBill.SWITCHES, KernelBill.VOLUNTARY_SWITCHES);
        List<PerfStat.Line> lines = List.of(new PerfStat.Line(0.2, 10L, "raw_syscalls:sys_enter"),
                new PerfStat.Line(0.2, 4L, "syscalls:sys_enter_read"), new PerfStat.Line(0.2, null, "sched:sched_switch"),
                new PerfStat.Line(0.2, 3L, "sched:sched_switch"));
        PerfStat.Interval i = PerfStat.interval(lines, events, 5_000);
        assertEquals(0.2, i.endSeconds());
        assertEquals(5_000, i.arrivedEpochMs());
        assertArrayEquals(new long[] {10, 4, 0, 3}, i.counts());
        List<PerfStat.Line> swapped = List.of(lines.get(1), lines.get(0), lines.get(2), lines.get(3));
        assertThrows(IllegalStateException.class, () -> PerfStat.interval(swapped, events, 5_000), "out of order");
    }

    /**
     * perf began counting at 10,000 ms (epoch), intervals of 200 ms, 100 calls in each: a window
     * from 10,100 to 10,500 holds half of the first, all of the second and half of the third.
     * One line arrived late; the start is estimated from the earliest.
     */
    @Test
    void aWindowIsInterpolatedWithinTheIntervalsAtItsEdges() {
        List<PerfStat.Interval> all = List.of(new PerfStat.Interval(0.2, 10_200, new long[] {100, 1}),
                new PerfStat.Interval(0.4, 10_450, new long[] {100, 2}), new PerfStat.Interval(0.6, 10_600, new long[] {100, 3}),
                new PerfStat.Interval(0.8, 10_800, new long[] {100, 4}));
        assertEquals(10_000, PerfStat.start(all));
        double[] counts = PerfStat.countsBetween(all, 2, 10_100, 10_500).orElseThrow();
        assertEquals(200, counts[0], 1e-9);
        assertEquals(0.5 * 1 + 2 + 0.5 * 3, counts[1], 1e-9);
        assertEquals(400, PerfStat.countsBetween(all, 2, 10_000, 10_800).orElseThrow()[0], 1e-9, "everything");
        assertTrue(PerfStat.countsBetween(all, 2, 9_999, 10_500).isEmpty(), "began before perf counted");
        assertTrue(PerfStat.countsBetween(all, 2, 10_100, 10_801).isEmpty(), "ended after perf's last interval");
        assertTrue(PerfStat.countsBetween(List.of(), 2, 10_100, 10_500).isEmpty());
    }

    /**
     * 1,000 messages: 1,000 reads and 900 recvfrom calls are 1.9 read/recv per message; 2,500
     * calls in all leave 2500 - 1900 - 500 - 50 = 50 of no kind here; 300 switches of which 240
     * voluntary leave 60 involuntary.
     */
    @Test
    void theBillSumsCallsByKindAndDividesByMessages() {
        double[] counts = {2_500, 1_000, 900, 500, 50, 300, 240};
        KernelBill b = KernelBill.of(EVENTS, counts, 1_000L);

        assertNull(b.unavailable);
        assertEquals(1_900, b.syscalls.get("read"));
        assertEquals(500, b.syscalls.get("write"));
        assertEquals(50, b.syscalls.get("epoll_wait"));
        assertEquals(0, b.syscalls.get("futex"), "no futex counter: none counted");
        assertEquals(50, b.syscalls.get(KernelBill.OTHER));
        assertEquals(2_500, b.syscalls.get(KernelBill.TOTAL));
        assertEquals(1.9, b.syscallsPerMsg.get("read"), 1e-12);
        assertEquals(0.05, b.syscallsPerMsg.get("epoll_wait"), 1e-12);
        assertEquals(0.05, b.syscallsPerMsg.get(KernelBill.OTHER), 1e-12);
        assertEquals(2.5, b.syscallsPerMsg.get(KernelBill.TOTAL), 1e-12);
        assertEquals(240, b.voluntaryCtxSwitches);
        assertEquals(60, b.involuntaryCtxSwitches);
        assertEquals(0.24, b.voluntaryCtxSwitchesPerMsg, 1e-12);
        assertEquals(0.06, b.involuntaryCtxSwitchesPerMsg, 1e-12);
        assertEquals(List.of("read", "write", "epoll_wait", "epoll_ctl", "futex", "io_uring_enter", "poll_select", "accept",
                "sleep", "other", "total"), List.copyOf(b.syscalls.keySet()), "every kind, in order, in results.json");
    }

    @Test
    void withoutMessagesThereIsNothingPerMessage() {
        KernelBill b = KernelBill.of(EVENTS, new double[] {10, 1, 0, 1, 0, 4, 4}, 0L);
        assertEquals(10, b.syscalls.get(KernelBill.TOTAL));
        assertNull(b.syscallsPerMsg);
        assertNull(b.voluntaryCtxSwitchesPerMsg);
    }

    @Test
    void aPartReadAheadOfTheWholeNeverMakesOtherNegative() {
        KernelBill b = KernelBill.of(EVENTS, new double[] {100, 60, 0, 41, 0, 5, 6}, 10L);
        assertEquals(0, b.syscalls.get(KernelBill.OTHER));
        assertEquals(0, b.involuntaryCtxSwitches);
    }

    @Test
    void perfCountsOnlyTheTracepointsThisKernelHas() {
        List<PerfStat.Event> events = KernelBill.events(List.of("read", "epoll_pwait", "futex", "openat"));
        assertEquals(List.of(KernelBill.ALL_SYSCALLS, new PerfStat.Event("syscalls:sys_enter_read", null),
                new PerfStat.Event("syscalls:sys_enter_epoll_pwait", null), new PerfStat.Event("syscalls:sys_enter_futex", null),
                KernelBill.SWITCHES, KernelBill.VOLUNTARY_SWITCHES), events);
        assertEquals(List.of("-e", "sched:sched_switch", "--filter", "prev_state & 255"), KernelBill.VOLUNTARY_SWITCHES.args());
    }

    @Test
    void eventsWithoutAFilterAreCountedAsOneGroupAndAFilteredOneAlone() {
        assertEquals(List.of("-e", "{raw_syscalls:sys_enter,syscalls:sys_enter_read,syscalls:sys_enter_recvfrom,syscalls:sys_enter_write,"
                        + "syscalls:sys_enter_epoll_wait,sched:sched_switch}", "-e", "sched:sched_switch", "--filter", "prev_state & 255"),
                PerfStat.args(EVENTS));
        assertEquals(List.of("-e", "raw_syscalls:sys_enter", "-e", "sched:sched_switch", "--filter", "prev_state & 255",
                "-e", "{syscalls:sys_enter_read,syscalls:sys_enter_write}"),
                PerfStat.args(List.of(KernelBill.ALL_SYSCALLS, KernelBill.VOLUNTARY_SWITCHES, READ, WRITE)));
    }
}
