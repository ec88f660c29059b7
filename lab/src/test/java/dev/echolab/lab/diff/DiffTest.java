package dev.echolab.lab.diff;

import dev.echolab.lab.LabCommand;
import dev.echolab.lab.run.CaseResult;
import dev.echolab.lab.run.ResultsFile;
import dev.echolab.lab.run.Verdict;
import dev.echolab.loadgen.output.JsonReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The judging rule of {@code bin/lab diff} on fixtures written by the lab's and the load
 * generator's own writers ({@link ResultsFile}, {@link JsonReport}), and its usage errors.
 */
class DiffTest {

    @TempDir
    Path tmp;

    /** One load case of nio, c=10, work none, one repetition per value of server CPU per message (µs). */
    private Path lab(String name, Verdict.Kind verdict, double... cpuUsPerMsg) throws IOException {
        List<CaseResult> cases = new ArrayList<>();
        for (int i = 0; i < cpuUsPerMsg.length; i++) {
            CaseResult c = CaseResult.of("nio", false, "load", 10, "none", i + 1);
            c.serverCpuUsPerMsg = cpuUsPerMsg[i];
            c.msgsPerS = 1e6 / cpuUsPerMsg[i];
            cases.add(judged(c, verdict));
        }
        Path file = tmp.resolve(name + ".json");
        ResultsFile.of(null, Map.of("cpus", 2), cases).write(file);
        return file;
    }

    /** {@code c} with the measurements that make the lab's own rule give {@code verdict}, judged by it. */
    private static CaseResult judged(CaseResult c, Verdict.Kind verdict) {
        c.serverCpuPct = verdict == Verdict.Kind.LOADGEN_BOUND ? 50.0 : 100.0;
        c.loadgenCpuPct = 100.0;
        c.loadgenSaturated = verdict == Verdict.Kind.LOADGEN_BOUND;
        c.otherLoadPct = verdict == Verdict.Kind.DISTURBED ? 90.0 : 5.0;
        CaseResult r = Verdict.untilUndisturbed(c, x -> x, 0, () -> false, x -> { });
        assertEquals(verdict, r.verdict, "the fixture's verdict is the lab's");
        return r;
    }

    private static Judgement only(Path old, Path now) throws IOException {
        List<Judgement> rows = Judgement.of(Side.read(old), Side.read(now), 0.10);
        assertEquals(1, rows.size(), rows.toString());
        return rows.getFirst();
    }

    @Test
    void theSameFiguresAreATie() throws IOException {
        Judgement j = only(lab("a", Verdict.Kind.OK, 10, 11), lab("b", Verdict.Kind.OK, 10, 11));
        assertEquals(Judgement.Verdict.TIE, j.verdict(), j.toString());
        assertEquals(1.0, j.ratio(), 1e-9);
    }

    @Test
    void worseBeyondTheSpreadWithNoOverlapIsARegression() throws IOException {
        Judgement j = only(lab("a", Verdict.Kind.OK, 10, 11), lab("b", Verdict.Kind.OK, 20, 21));
        assertEquals(Judgement.Verdict.REGRESSION, j.verdict(), j.toString());
        assertEquals(20.5 / 10.5, j.ratio(), 1e-9);
    }

    @Test
    void worseBeyondTheSpreadButOverlappingRepetitionsIsSlowerNotARegression() throws IOException {
        // old 10 and 10.5 (spread 5%), new 10.4 and 16 (median 13.2, 30% worse); spread (16-10.4)/13.2 = 42%
        // would tie, so the floor alone cannot decide: the new run's spread is what is allowed
        Judgement tie = only(lab("a", Verdict.Kind.OK, 10, 10.5), lab("b", Verdict.Kind.OK, 10.4, 16));
        assertEquals(Judgement.Verdict.TIE, tie.verdict(), "within the new run's own spread: " + tie);
        // three repetitions: median 13, spread (13.5-10.4)/13 = 24%, 27% worse, one repetition as good as the old run's worst
        Judgement slower = only(lab("c", Verdict.Kind.OK, 10, 10.5, 10.2), lab("d", Verdict.Kind.OK, 10.4, 13, 13.5));
        assertEquals(Judgement.Verdict.SLOWER, slower.verdict(), slower.toString());
    }

    @Test
    void betterBeyondTheSpreadIsFaster() throws IOException {
        Judgement j = only(lab("a", Verdict.Kind.OK, 20, 21), lab("b", Verdict.Kind.OK, 10, 11));
        assertEquals(Judgement.Verdict.FASTER, j.verdict(), j.toString());
    }

    @Test
    void aChangeWithinTheRepetitionsSpreadIsATie() throws IOException {
        // old 10 and 14: spread 4/12 = 33%; new 15 is 25% worse, inside it
        Judgement j = only(lab("a", Verdict.Kind.OK, 10, 14), lab("b", Verdict.Kind.OK, 15, 15));
        assertEquals(Judgement.Verdict.TIE, j.verdict(), j.toString());
        assertEquals(4.0 / 12, j.spread(), 1e-9);
    }

    @Test
    void aCaseDisturbedInEveryRepetitionIsNotJudged() throws IOException {
        Judgement j = only(lab("a", Verdict.Kind.OK, 10, 11), lab("b", Verdict.Kind.DISTURBED, 30, 31));
        assertEquals(Judgement.Verdict.NOT_JUDGED, j.verdict(), j.toString());
        assertEquals("NEW: disturbed in every repetition", j.reason());
    }

    @Test
    void aDisturbedRepetitionIsLeftOutAndALoadGeneratorBoundOneCounts() throws IOException {
        Path old = lab("a", Verdict.Kind.OK, 10, 11);
        List<CaseResult> cases = new ArrayList<>();
        double[] cpu = {10, 50, 10.5};
        Verdict.Kind[] verdicts = {Verdict.Kind.OK, Verdict.Kind.DISTURBED, Verdict.Kind.LOADGEN_BOUND};
        for (int i = 0; i < 3; i++) {
            CaseResult c = CaseResult.of("nio", false, "load", 10, "none", i + 1);
            c.serverCpuUsPerMsg = cpu[i];
            cases.add(judged(c, verdicts[i]));
        }
        Path now = tmp.resolve("n.json");
        ResultsFile.of(null, Map.of(), cases).write(now);
        Judgement j = only(old, now);
        assertEquals(Judgement.Verdict.TIE, j.verdict(), j.toString());
        assertEquals(10.25, j.now(), 1e-9);
    }

    @Test
    void casesInOneFileOnlyAreNotJudged() throws IOException {
        Path old = lab("a", Verdict.Kind.OK, 10);
        CaseResult c = CaseResult.of("blocking", false, "load", 10, "none", 1);
        c.serverCpuUsPerMsg = 12.0;
        Path now = tmp.resolve("n.json");
        ResultsFile.of(null, Map.of(), List.of(judged(c, Verdict.Kind.OK))).write(now);
        List<Judgement> rows = Judgement.of(Side.read(old), Side.read(now), 0.1);
        assertEquals(List.of("only in OLD", "only in NEW"), rows.stream().map(Judgement::reason).toList());
    }

    private Path loadgen(String name, double msgsPerS, long errors, double rate, long p99) throws IOException {
        JsonReport.Latency l = new JsonReport.Latency(100, 120, 150, p99, p99 * 2, p99 * 3, 110);
        JsonReport r = new JsonReport(10, msgsPerS, msgsPerS * 30 / 1e6, 100, 120, 150, p99, p99 * 2, p99 * 3, 110,
                errors, 0, 10, (long) msgsPerS * 10, (long) msgsPerS * 10, 10, 3, 0.01, 10, 0, 0, 10_000, 30, 50,
                rate > 0 ? l : null, rate > 0 ? l : null, Map.of(), Map.of(), new JsonReport.Connect(0.01, 100, 90, 200, 300),
                new JsonReport.Fairness(9, 10, 11, 0, 0), new JsonReport.Cpu(5, 50, 2, false), new JsonReport.Self(1, 0, 0, null, null),
                new JsonReport.Faults(0, 0, Map.of(), 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0),
                new JsonReport.RunSettings("127.0.0.1", 7, 10, "nio", 1, 10, 3, 0, 30, 1, rate, 0, 5, 5, 1, "", 0, 0, 0),
                null, List.of(), errors > 0 ? 1 : 0);
        Path file = tmp.resolve(name + ".json");
        r.write(file);
        return file;
    }

    @Test
    void loadGeneratorReportsAreJudgedByMsgsPerSecondClosedLoopAndP99OpenLoop() throws IOException {
        Judgement halved = only(loadgen("a", 100_000, 0, 0, 500), loadgen("b", 50_000, 0, 0, 500));
        assertEquals(Side.RATE, halved.figure());
        assertEquals(Judgement.Verdict.REGRESSION, halved.verdict(), halved.toString());
        Judgement close = only(loadgen("c", 100_000, 0, 0, 500), loadgen("d", 95_000, 0, 0, 500));
        assertEquals(Judgement.Verdict.TIE, close.verdict(), "within the 10% floor: " + close);
        Judgement p99 = only(loadgen("e", 1000, 0, 1000, 500), loadgen("f", 1000, 0, 1000, 900));
        assertEquals(Side.P99, p99.figure());
        assertEquals(Judgement.Verdict.REGRESSION, p99.verdict(), p99.toString());
        Judgement errors = only(loadgen("g", 100_000, 0, 0, 500), loadgen("h", 10_000, 3, 0, 500));
        assertEquals(Judgement.Verdict.NOT_JUDGED, errors.verdict(), errors.toString());
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run diff(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = LabCommand.commandLine(new DiffCommand(o), o, new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void exitsThreeOnARegressionZeroOtherwiseAndWritesTheTableAsJson() throws IOException {
        Path old = lab("a", Verdict.Kind.OK, 10, 11);
        Path json = tmp.resolve("diff.json");
        Run same = diff(old.toString(), lab("b", Verdict.Kind.OK, 10.5, 10.8).toString());
        assertEquals(0, same.exit(), same.err());
        assertTrue(same.out().contains("tie") && same.out().contains("no regression"), same.out());
        Run slow = diff(old.toString(), lab("c", Verdict.Kind.OK, 30, 31).toString(), "--json", json.toString());
        assertEquals(3, slow.exit(), slow.out() + slow.err());
        assertTrue(slow.out().contains("regression"), slow.out());
        DiffReport report = DiffReport.read(json);
        assertEquals(1, report.regressions());
        assertEquals("regression", report.cases().getFirst().verdict());
        assertEquals("nio c=10 work=none", report.cases().getFirst().caseLabel());
        assertNull(report.cases().getFirst().reason());
    }

    @Test
    void aMissingForeignOrMismatchedFileIsBadUsageNamingTheArgument() throws IOException {
        Path lab = lab("a", Verdict.Kind.OK, 10);
        Path foreign = Files.writeString(tmp.resolve("other.json"), "{\"hello\": 1}");
        Path text = Files.writeString(tmp.resolve("notes.md"), "# not json");
        Map<List<String>, String> refusals = Map.of(
                List.of(tmp.resolve("gone.json").toString(), lab.toString()), "OLD: no such file",
                List.of(lab.toString(), foreign.toString()), "NEW: '" + foreign + "' is neither a lab results.json",
                List.of(text.toString(), lab.toString()), "OLD: '" + text + "' is not JSON",
                List.of(lab.toString(), loadgen("l", 1000, 0, 0, 5).toString()), "NEW: '",
                List.of(lab.toString(), lab.toString(), "--min-spread", "-1"), "--min-spread");
        refusals.forEach((args, expected) -> {
            Run r = diff(args.toArray(String[]::new));
            assertEquals(2, r.exit(), args + ": " + r.err());
            String first = r.err().lines().findFirst().orElse("");
            assertTrue(first.startsWith(expected) || first.contains(expected), args + ": " + first);
            assertTrue(r.out().isEmpty(), "no table: " + r.out());
        });
    }
}
