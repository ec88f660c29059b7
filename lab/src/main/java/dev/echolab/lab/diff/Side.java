package dev.echolab.lab.diff;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.echolab.lab.render.Spread;
import dev.echolab.lab.run.CaseResult;
import dev.echolab.lab.run.ResultsFile;
import dev.echolab.lab.run.Verdict;
import dev.echolab.loadgen.output.JsonReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One side of a diff: the cases a file holds, each with the figure that is compared and its value
 * in every repetition the lab counted, and the run's own spread ({@link Spread}).
 *
 * <ul>
 *   <li>A lab comparison ({@link ResultsFile}): each load case (backend or peer, its server options,
 *       connections, work, rate, load generator options) by the server's CPU per message, the
 *       lab's measure of a server's cost (it does not move with the load generator's ceiling).
 *       Repetitions judged disturbed are not counted ({@link Verdict}); a case left with none, or
 *       failed, is not judged.</li>
 *   <li>A load generator report ({@link JsonReport}): one case, by msgs/s in a closed loop and by
 *       p99 in an open loop (where msgs/s is the offered rate); one run, so no spread of its own. A
 *       run with errors, or whose load generator was saturated (closed loop: msgs/s measured the
 *       load generator), is not judged.</li>
 * </ul>
 */
record Side(Kind kind, Map<String, Case> cases, Spread spread) {

    enum Kind {
        LAB("a lab comparison"), LOADGEN("a load generator report");

        final String what;

        Kind(String what) {
            this.what = what;
        }
    }

    /** A case: its figure's name, whether lower is better, the counted values, or why it cannot be judged. */
    record Case(String label, String figure, boolean lowerIsBetter, List<Double> values, String notJudged) {
    }

    static final String CPU = "server µs/msg";
    static final String RATE = "msgs/s";
    static final String P99 = "p99 µs";

    /**
     * Reads {@code file} as whichever of the two it is.
     *
     * @throws IllegalArgumentException when it is neither (the message says what it is not)
     */
    static Side read(Path file) throws IOException {
        JsonNode tree;
        try {
            tree = new ObjectMapper().readTree(Files.readString(file));
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (tree != null && tree.has("cases") && tree.has("environment")) {
            return ofLab(ResultsFile.read(file));
        }
        if (tree != null && tree.has("msgs_per_s") && tree.has("settings")) {
            return ofLoadgen(JsonReport.read(file));
        }
        throw new IllegalArgumentException("neither a lab results.json (bin/lab compare) nor a load generator report (bin/loadgen --json)");
    }

    static Side ofLab(ResultsFile results) {
        Map<String, List<CaseResult>> byCase = new LinkedHashMap<>();
        for (CaseResult c : results.cases()) {
            if (c.scenario.equals("load")) {
                byCase.computeIfAbsent(key(c), k -> new ArrayList<>()).add(c);
            }
        }
        Map<String, Case> cases = new LinkedHashMap<>();
        Map<String, List<Double>> counted = new LinkedHashMap<>();
        byCase.forEach((key, repeats) -> {
            List<Double> values = repeats.stream()
                    .filter(r -> r.status != CaseResult.Status.failed && r.verdict != Verdict.Kind.DISTURBED)
                    .map(r -> r.serverCpuUsPerMsg).filter(v -> v != null && v > 0).toList();
            String notJudged = null;
            if (repeats.stream().anyMatch(r -> r.status == CaseResult.Status.failed)) {
                notJudged = "failed";
            } else if (values.isEmpty()) {
                notJudged = repeats.stream().allMatch(r -> r.verdict == Verdict.Kind.DISTURBED)
                        ? "disturbed in every repetition" : "no server CPU measured";
            }
            cases.put(key, new Case(key, CPU, true, values, notJudged));
            counted.put(key, values);
        });
        return new Side(Kind.LAB, cases, Spread.of(counted));
    }

    static Side ofLoadgen(JsonReport r) {
        JsonReport.RunSettings s = r.settings();
        boolean open = s.rate() > 0;
        String key = "loadgen c=" + s.connections() + " size=" + s.size() + " pipeline=" + s.pipeline()
                + (open ? " rate=" + Math.round(s.rate()) : "") + " driver=" + s.driver()
                + (s.processes() > 1 ? " processes=" + s.processes() : "");
        String notJudged = r.exitStatus() != 0 || r.errors() > 0 || r.mismatches() > 0 ? "errors (exit status " + r.exitStatus() + ")"
                : !open && r.cpu() != null && r.cpu().saturated() ? "load generator saturated (msgs/s measured it, not the server)"
                : null;
        Case c = open ? new Case(key, P99, true, List.of((double) r.p99Us()), notJudged)
                : new Case(key, RATE, false, List.of(r.msgsPerS()), notJudged);
        return new Side(Kind.LOADGEN, Map.of(key, c), new Spread(Map.of(), null));
    }

    /** {@code nio --offload 2 c=500 work=cpu:50us rate=1000 (loadgen --size 64)}: what makes two cases the same case. */
    static String key(CaseResult c) {
        String options = c.serverArgs == null || c.serverArgs.isEmpty() ? "" : " " + String.join(" ", c.serverArgs);
        String load = c.loadgenArgs == null || c.loadgenArgs.isEmpty() ? "" : " (loadgen " + String.join(" ", c.loadgenArgs) + ")";
        String idle = c.idleBeside > 0 ? " idle=" + c.idleBeside : "";
        return c.backend + options + " c=" + c.connections + " work=" + c.work + (c.rate == null ? "" : " rate=" + c.rate) + idle + load;
    }
}
