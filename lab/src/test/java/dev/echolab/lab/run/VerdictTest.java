package dev.echolab.lab.run;

import dev.echolab.lab.report.Charts;
import dev.echolab.lab.report.Environment;
import dev.echolab.lab.report.HtmlReport;
import dev.echolab.lab.report.MarkdownReport;
import dev.echolab.lab.report.Tables;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lab's verdict on a case from synthetic figures, the medians that leave disturbed runs out, and the rerun loop. */
class VerdictTest {

    /** A load case as the runner leaves it: CPU % of a core over the measured interval. */
    static CaseResult measured(String work, double server, double loadgen, boolean saturated, double other) {
        CaseResult c = new CaseResult();
        c.backend = "nio";
        c.scenario = "load";
        c.connections = 500;
        c.work = work;
        c.repeat = 1;
        return fill(c, server, loadgen, saturated, other);
    }

    @Test
    void aBusyMachineDisturbsTheCase() {
        CaseResult c = measured("none", 95, 90, false, 45);
        Verdict.judge(c);
        assertEquals(Verdict.Kind.DISTURBED, c.verdict);
        assertTrue(c.verdictReason.contains("other load 45% of a core"), c.verdictReason);
    }

    @Test
    void aBusyMachineOutranksTheLoadGeneratorBound() {
        CaseResult c = measured("none", 50, 97, true, 60);
        Verdict.judge(c);
        assertEquals(Verdict.Kind.DISTURBED, c.verdict, "the load generator may have been slowed by the other load");
    }

    @Test
    void aSaturatedLoadGeneratorWithAServerBelow80PercentIsLoadGeneratorBound() {
        CaseResult c = measured("none", 70, 97, true, 5);
        Verdict.judge(c);
        assertEquals(Verdict.Kind.LOADGEN_BOUND, c.verdict);
        assertTrue(c.verdictReason.contains("97% CPU") && c.verdictReason.contains("70% of its core"), c.verdictReason);
    }

    @Test
    void aBusyServerOnAQuietMachineIsOk() {
        CaseResult c = measured("none", 92, 96, true, 8);
        Verdict.judge(c);
        assertEquals(Verdict.Kind.OK, c.verdict);
        assertNull(c.verdictReason);
        Verdict.judge(c = measured("none", 40, 50, false, 8)); // latency-bound, neither side busy
        assertEquals(Verdict.Kind.OK, c.verdict);
    }

    @Test
    void simulatedWaitingIsNeverLoadGeneratorBound() {
        CaseResult c = measured("io:2ms", 5, 95, true, 3);
        Verdict.judge(c);
        assertEquals(Verdict.Kind.OK, c.verdict, "an io case's server waits by design");
        Verdict.judge(c = measured("io:2ms", 5, 5, false, 30));
        assertEquals(Verdict.Kind.DISTURBED, c.verdict, "but a busy machine disturbs it like any other");
    }

    @Test
    void idleAndFailedCasesAreNotJudged() {
        CaseResult idle = measured("none", 1, 0, false, 50);
        idle.scenario = "idle";
        Verdict.judge(idle);
        assertNull(idle.verdict);
        CaseResult failed = measured("none", 1, 0, false, 50);
        failed.status = CaseResult.Status.failed;
        Verdict.judge(failed);
        assertNull(failed.verdict);
    }

    @Test
    void theSummaryLeavesDisturbedRunsOutOfTheMedians() {
        CaseResult a = judged(measured("none", 95, 90, false, 5), 100_000);
        CaseResult b = judged(measured("none", 95, 90, false, 5), 110_000);
        CaseResult disturbed = judged(measured("none", 40, 60, false, 70), 10_000);
        disturbed.errors = 3L;
        a.repeat = 1;
        b.repeat = 2;
        disturbed.repeat = 3;
        Summary s = Summary.of(List.of(a, b, disturbed)).get(0);
        assertEquals(105_000.0, s.msgsPerS(), "median of the two undisturbed runs only");
        assertEquals(95.0, s.serverCpuPct());
        assertEquals(3, s.runs());
        assertEquals(1, s.disturbed());
        assertEquals(3L, s.errors(), "errors are never hidden, disturbed or not");

        Summary none = Summary.of(List.of(disturbed)).get(0);
        assertNull(none.msgsPerS(), "a case disturbed in every run has no figure, rather than a disturbed one");
        assertEquals(1, none.disturbed());
    }

    @Test
    void everySummaryFigureIsTheMedianOfItsUndisturbedRunsAndEveryCountTheMaximumOfAll() {
        CaseResult a = judged(measured("none", 95, 90, false, 5), 100_000);
        CaseResult b = judged(measured("none", 95, 90, false, 5), 110_000);
        CaseResult disturbed = judged(measured("none", 40, 60, false, 70), 10_000);
        long n = 1;
        for (CaseResult r : List.of(a, b, disturbed)) {
            long k = r == disturbed ? 1_000 : n++; // the disturbed run's figures would move every median
            r.serverCpuUsPerMsg = 10.0 * k;
            r.p50Us = 100 * k;
            r.p90Us = 200 * k;
            r.p99Us = 300 * k;
            r.p999Us = 400 * k;
            r.maxUs = 500 * k;
            r.mismatches = k;
            r.starvedConnections = 2 * k;
            r.serverThreadsPeak = (int) (3 * k);
            r.serverRssMbPeak = 20.0 * k;
            r.rssPerConnectionKb = 30.0 * k;
            r.threadsPerConnection = 0.5 * k;
            r.idleCpuPct = 0.25 * k;
            r.loadgenCpuPct = 40.0 * k;
        }
        Summary s = Summary.of(List.of(a, b, disturbed)).get(0);
        assertEquals(15.0, s.cpuUsPerMsg());
        assertEquals(150L, s.p50Us());
        assertEquals(300L, s.p90Us());
        assertEquals(450L, s.p99Us());
        assertEquals(600L, s.p999Us());
        assertEquals(750L, s.maxUs());
        assertEquals(1_000L, s.mismatches(), "counts are the maximum over every run, disturbed or not");
        assertEquals(2_000L, s.starved());
        assertEquals(6, s.threads(), "the peak threads of the undisturbed runs");
        assertEquals(30.0, s.rssMb());
        assertEquals(45.0, s.rssPerConnectionKb());
        assertEquals(0.75, s.threadsPerConnection());
        assertEquals(0.375, s.idleCpuPct());
        assertEquals(60.0, s.loadgenCpuPct());
        assertEquals(false, s.loadgenSaturated());
        b.loadgenSaturated = true;
        assertEquals(true, Summary.of(List.of(a, b)).get(0).loadgenSaturated(), "saturated in any undisturbed run");
    }

    @Test
    void theLimitsThemselvesAreStillOk() {
        CaseResult atOtherLimit = measured("none", 95, 90, false, Verdict.OTHER_LOAD_MAX_PCT);
        Verdict.judge(atOtherLimit);
        assertEquals(Verdict.Kind.OK, atOtherLimit.verdict, "other load at the limit, not above it");
        CaseResult serverAtBusy = measured("none", Verdict.SERVER_BUSY_PCT, 97, true, 5);
        Verdict.judge(serverAtBusy);
        assertEquals(Verdict.Kind.OK, serverAtBusy.verdict, "a server at the busy mark is busy: not load-generator-bound");
    }

    @Test
    void loadGeneratorBoundRunsCountAndAreMarked() {
        CaseResult bound = judged(measured("none", 70, 97, true, 5), 90_000);
        Summary s = Summary.of(List.of(bound)).get(0);
        assertEquals(90_000.0, s.msgsPerS());
        assertEquals(0, s.disturbed());
        assertEquals(1, s.loadgenBound());
    }

    @Test
    void aDisturbedCaseIsRunAgainUntilItIsNot() {
        Deque<Double> other = new ArrayDeque<>(List.of(50.0, 35.0, 4.0));
        List<String> retried = new ArrayList<>();
        CaseResult first = measured("none", 0, 0, false, 0);
        first.serverArgs = List.of("--offload", "2"); // what bin/lab chapter sets: a rerun must keep it
        first.rate = 3000;
        first.serverPrefix = List.of("taskset", "-c", "0"); // a chapter row on one core
        first.idleBeside = 900; // and one with idle connections beside its load
        CaseResult c = Verdict.untilUndisturbed(first, injected(other), 2, () -> false,
                d -> retried.add(d.verdictReason));
        assertEquals(List.of("--offload", "2"), c.serverArgs, "the rerun ran the same server");
        assertEquals(List.of("taskset", "-c", "0"), c.serverPrefix, "pinned the same way");
        assertEquals(900, c.idleBeside, "beside as many idle connections");
        assertEquals(3000, c.rate, "and the same load");
        assertEquals(Verdict.Kind.OK, c.verdict);
        assertEquals(3, c.attempts.size());
        assertEquals(List.of(Verdict.Kind.DISTURBED, Verdict.Kind.DISTURBED, Verdict.Kind.OK),
                c.attempts.stream().map(Verdict.Attempt::verdict).toList());
        assertEquals(2, retried.size());
        assertTrue(retried.get(1).contains("35%"), retried.toString());
        assertEquals(4.0, c.otherLoadPct, "the result is the last attempt's");
    }

    @Test
    void retriesAreBoundedAndTheLastDisturbedAttemptIsKept() {
        Deque<Double> other = new ArrayDeque<>(List.of(50.0, 60.0, 70.0, 0.0));
        CaseResult c = Verdict.untilUndisturbed(measured("none", 0, 0, false, 0), injected(other), 1, () -> false, d -> { });
        assertEquals(Verdict.Kind.DISTURBED, c.verdict);
        assertEquals(2, c.attempts.size(), "1 + --retries 1");
        assertEquals(70.0, other.peek(), "no third attempt");
        assertTrue(Verdict.overall(List.of(c)).startsWith("1 of 1 load cases disturbed"), Verdict.overall(List.of(c)));
    }

    @Test
    void loadGeneratorBoundAndStoppedRunsAreNotRunAgain() {
        CaseResult bound = Verdict.untilUndisturbed(measured("none", 0, 0, false, 0),
                c -> fill(c, 70, 97, true, 5), 2, () -> false, d -> { });
        assertEquals(1, bound.attempts.size());
        assertEquals(Verdict.Kind.LOADGEN_BOUND, bound.verdict);
        CaseResult stopped = Verdict.untilUndisturbed(measured("none", 0, 0, false, 0),
                c -> fill(c, 95, 90, false, 80), 2, () -> true, d -> { });
        assertEquals(1, stopped.attempts.size(), "a stopped comparison starts no rerun");
    }

    @Test
    void theRunsVerdictCountsTheCases() {
        CaseResult ok = Verdict.untilUndisturbed(measured("none", 0, 0, false, 0),
                c -> fill(c, 95, 90, false, 5), 2, () -> false, d -> { });
        assertEquals("undisturbed: every load case ok (1)", Verdict.overall(List.of(ok)));
        CaseResult bound = Verdict.untilUndisturbed(measured("none", 0, 0, false, 0),
                c -> fill(c, 70, 97, true, 5), 2, () -> false, d -> { });
        CaseResult rerun = Verdict.untilUndisturbed(measured("none", 0, 0, false, 0),
                injected(new ArrayDeque<>(List.of(40.0, 3.0))), 2, () -> false, d -> { });
        assertEquals("undisturbed: no load case disturbed (3); 1 load-generator-bound; 1 rerun",
                Verdict.overall(List.of(ok, bound, rerun)));
    }

    @Test
    void theReportMarksDisturbedAndBoundRowsAndSaysWhy() throws Exception {
        CaseResult disturbed = Verdict.untilUndisturbed(measured("none", 0, 0, false, 0),
                injected(new ArrayDeque<>(List.of(40.0, 45.0))), 1, () -> false, d -> { });
        CaseResult bound = Verdict.untilUndisturbed(measured("none", 0, 0, false, 0),
                c -> fill(c, 70, 97, true, 5), 2, () -> false, d -> { });
        bound.backend = "netty";
        List<CaseResult> cases = List.of(disturbed, bound);
        Environment env = Environment.read(Path.of("."), "pinned", "nio", "", Map.of());
        // the report pads its table cells to line up; the checks below read them with single spaces
        String md = MarkdownReport.render(env, Summary.of(cases), cases, Charts.of(Summary.of(cases), cases), null)
                .replaceAll(" {2,}", " ");
        assertTrue(md.contains("**Verdict: 1 of 2 load cases disturbed (left out of the medians); 1 load-generator-bound; 1 rerun**"), md);
        assertTrue(md.contains("| nio " + Tables.DISTURBED_MARK + " (1 of 1 left out) | 500 | - |"), md);
        assertTrue(md.contains("| netty " + Tables.BOUND_MARK + " | 500 | 90,000 |"), md);
        assertTrue(md.contains("| nio load c=500 work=none rep 1 | 1 | disturbed: busy machine: other load 40% of a core (limit 20%) | run again |"), md);
        assertTrue(md.contains("| 2 | disturbed: busy machine: other load 45% of a core (limit 20%) | kept, left out of the medians |"), md);
        assertTrue(md.contains("kept, counted"), md);
        assertFalse(HtmlReport.render(env, Summary.of(cases), cases, Charts.of(Summary.of(cases), cases), null).isEmpty());
    }

    private static CaseResult judged(CaseResult c, double msgsPerS) {
        c.msgsPerS = msgsPerS;
        Verdict.judge(c);
        return c;
    }

    /** A runner that measures a quiet server each time, with the other load taken from the queue. */
    private static UnaryOperator<CaseResult> injected(Deque<Double> other) {
        return c -> fill(c, 95, 90, false, other.pop());
    }

    private static CaseResult fill(CaseResult c, double server, double loadgen, boolean saturated, double other) {
        c.msgsPerS = 90_000.0;
        c.serverCpuPct = server;
        c.loadgenCpuPct = loadgen;
        c.loadgenSaturated = saturated;
        c.otherLoadPct = other;
        return c;
    }
}
