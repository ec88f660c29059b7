package dev.echolab.lab.diff;

import dev.echolab.lab.run.CaseResult;
import dev.echolab.lab.run.ResultsFile;
import dev.echolab.lab.run.Verdict;
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

/**
 * {@code bin/lab compare} with a user's own server ({@code --server-command}), then
 * {@code bin/lab diff} on what it measured: its two repetitions (two runs of the same code) pass,
 * and the same run with the server's CPU per message tripled is a regression (exit 3).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LabDiffIT {

    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    private record Run(int exit, String output) {
    }

    private static Run run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(100, TimeUnit.SECONDS), output);
        return new Run(p.exitValue(), output);
    }

    private static Path write(Path file, ResultsFile from, List<CaseResult> cases) throws IOException {
        ResultsFile.of(null, from.environment(), cases).write(file);
        return file;
    }

    @Test
    void aUserServerBesideTheBackendsThenDiffPassesTheSameCodeAndFlagsATripledCost(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        Run compare = run(ROOT.resolve("bin/lab").toString(), "compare", "--backends", "none", "--no-reference",
                "--server-command", "mine=" + ROOT.resolve("bin/server") + " --backend nio",
                "--connections", "10", "--duration", "1s", "--warmup", "0s", "--work", "none", "--repeat", "2",
                "--retries", "0", "--idle", "0", "--out", out.toString());
        assertEquals(0, compare.exit(), compare.output());
        ResultsFile results = ResultsFile.read(out.resolve("results.json"));
        assertEquals(List.of("mine", "mine"), results.cases().stream().map(c -> c.backend).toList());
        for (CaseResult c : results.cases()) {
            assertEquals(CaseResult.Status.ok, c.status, c.failure);
            assertTrue(c.serverCpuUsPerMsg != null && c.serverCpuUsPerMsg > 0, "measured: " + c.serverCpuUsPerMsg);
        }
        assertTrue(Files.readString(out.resolve("report.md")).contains("mine"), "the report names the user's server");

        // the two repetitions as two runs of the same code
        Path first = write(tmp.resolve("first.json"), results, List.of(results.cases().get(0)));
        Path second = write(tmp.resolve("second.json"), results, List.of(results.cases().get(1)));
        Run same = run(ROOT.resolve("bin/lab").toString(), "diff", first.toString(), second.toString(), "--min-spread", "50");
        assertEquals(0, same.exit(), same.output());
        assertTrue(same.output().contains("mine c=10 work=none"), same.output());

        // the same measurements with the server's cost tripled; both sides taken as undisturbed, so
        // the machine's load while this test ran cannot leave the case unjudged
        List<CaseResult> quiet = new ArrayList<>();
        List<CaseResult> slow = new ArrayList<>();
        for (CaseResult c : ResultsFile.read(out.resolve("results.json")).cases()) {
            c.verdict = Verdict.Kind.OK;
            quiet.add(c);
        }
        for (CaseResult c : ResultsFile.read(out.resolve("results.json")).cases()) {
            c.verdict = Verdict.Kind.OK;
            c.serverCpuUsPerMsg *= 3;
            slow.add(c);
        }
        Path old = write(tmp.resolve("old.json"), results, quiet);
        Path now = write(tmp.resolve("new.json"), results, slow);
        Path json = tmp.resolve("diff.json");
        Run slower = run(ROOT.resolve("bin/lab").toString(), "diff", old.toString(), now.toString(), "--min-spread", "50",
                "--json", json.toString());
        assertEquals(3, slower.exit(), slower.output());
        assertTrue(slower.output().contains("regression"), slower.output());
        assertEquals(1, DiffReport.read(json).regressions());
    }
}
