package dev.echolab.lab.report;

import dev.echolab.lab.run.CaseResult;
import dev.echolab.lab.run.Summary;
import dev.echolab.lab.run.Verdict;
import dev.echolab.lab.sample.SyscallCost;

import java.util.ArrayList;
import java.util.List;

import static dev.echolab.lab.run.Summary.fmt;

/** The report's tables, built once and rendered by both {@link MarkdownReport} and {@link HtmlReport}. */
public final class Tables {

    public record Table(String title, String note, List<String> headers, List<List<String>> rows) {
    }

    public static final String DISTURBED_MARK = "‡";
    public static final String BOUND_MARK = "†";

    private Tables() {
    }

    static List<Table> build(Environment env, List<Summary> rows, List<CaseResult> cases) {
        List<Table> tables = new ArrayList<>();
        tables.add(environment(env));
        for (String work : rows.stream().filter(r -> r.scenario().equals("load")).map(Summary::work).distinct().toList()) {
            tables.add(load(work, rows.stream().filter(r -> r.scenario().equals("load") && r.work().equals(work)).toList()));
        }
        List<Summary> idle = rows.stream().filter(r -> r.scenario().equals("idle")).toList();
        if (!idle.isEmpty()) {
            tables.add(idle(idle));
        }
        tables.addAll(KernelTables.of(cases));
        if (cases.stream().anyMatch(Verdict::notOk)) {
            tables.add(verdicts(cases));
        }
        List<CaseResult> failed = cases.stream().filter(c -> c.status != CaseResult.Status.ok).toList();
        if (!failed.isEmpty()) {
            tables.add(failures(failed));
        }
        return tables;
    }

    private static Table environment(Environment e) {
        List<List<String>> r = List.of(
                List.of("date", e.date), List.of("CPU", e.cpuModel), List.of("CPUs", String.valueOf(e.cpus)),
                List.of("memory", e.memory), List.of("kernel", e.kernel), List.of("one system call", SyscallCost.describe(e.syscallCost)),
                List.of("open files", e.openFilesLimit),
                List.of("JDK", e.jdk), List.of("JVM flags", e.jvmFlags), List.of("pinning", e.pinning),
                List.of("load generator driver", e.loadgenDriver), List.of("settings", String.valueOf(e.settings)),
                List.of("echolab", e.echolabVersion + " (" + e.gitCommit + ")"));
        return new Table("Environment", null, List.of("fact", "value"), r);
    }

    private static Table load(String work, List<Summary> rows) {
        List<List<String>> r = new ArrayList<>();
        for (Summary s : rows) {
            r.add(List.of(s.backend() + (s.reference() ? " (reference)" : "") + marks(s), String.valueOf(s.connections()),
                    fmt(s.msgsPerS(), 0), fmt(s.cpuUsPerMsg(), 2), fmt(s.serverCpuPct(), 0),
                    us(s.p50Us()), us(s.p99Us()), us(s.p999Us()), us(s.maxUs()), num(s.errors()), num(s.mismatches()),
                    num(s.starved()), s.threads() == null ? "-" : String.valueOf(s.threads()), fmt(s.rssMb(), 0),
                    fmt(s.loadgenCpuPct(), 0) + (s.loadgenSaturated() ? " (saturated)" : ""),
                    s.status() + (s.failure() == null ? "" : ": " + s.failure())));
        }
        boolean marked = rows.stream().anyMatch(s -> !marks(s).isEmpty());
        return new Table("Load, work " + work,
                "Median of the repetitions. Server CPU per message is the figure to compare: msgs/s is capped by the load generator's core on a small machine."
                        + (marked ? " " + MARKS_NOTE : ""),
                List.of("backend", "conns", "msgs/s", "server µs/msg", "server CPU %", "p50 µs", "p99 µs", "p99.9 µs",
                        "max µs", "errors", "mismatches", "no reply", "threads", "RSS MB", "loadgen CPU %", "status"), r);
    }

    static final String MARKS_NOTE = DISTURBED_MARK + " disturbed: some runs had the machine busy with something else even when run again, "
            + "and are left out of the medians; " + BOUND_MARK + " load-generator-bound: msgs/s is the load generator's ceiling, not the server's, "
            + "and server µs/msg an upper bound (see the verdicts below).";

    private static String marks(Summary s) {
        return (s.disturbed() > 0 ? " " + DISTURBED_MARK + " (" + s.disturbed() + " of " + s.runs() + " left out)" : "")
                + (s.loadgenBound() > 0 ? " " + BOUND_MARK : "");
    }

    /** Every attempt the lab did not judge ok: why, and what became of it. */
    private static Table verdicts(List<CaseResult> cases) {
        List<List<String>> r = new ArrayList<>();
        for (CaseResult c : cases.stream().filter(Verdict::notOk).toList()) {
            for (Verdict.Attempt a : c.attempts) {
                if (a.verdict() == Verdict.Kind.OK) {
                    continue;
                }
                boolean last = a.attempt() == c.attempts.size();
                String outcome = !last ? "run again"
                        : a.verdict() == Verdict.Kind.DISTURBED ? "kept, left out of the medians" : "kept, counted";
                r.add(List.of(c.label(), String.valueOf(a.attempt()), a.verdict() + ": " + a.reason(), outcome));
            }
        }
        return new Table("Disturbed and load-generator-bound runs", Verdict.RULE,
                List.of("case", "attempt", "verdict", "outcome"), r);
    }

    private static Table idle(List<Summary> rows) {
        List<List<String>> r = new ArrayList<>();
        for (Summary s : rows) {
            r.add(List.of(s.backend() + (s.reference() ? " (reference)" : ""), String.valueOf(s.connections()),
                    fmt(s.rssPerConnectionKb(), 1), fmt(s.threadsPerConnection(), 3), fmt(s.idleCpuPct(), 1),
                    s.threads() == null ? "-" : String.valueOf(s.threads()), fmt(s.rssMb(), 0),
                    s.status() + (s.failure() == null ? "" : ": " + s.failure())));
        }
        return new Table("Idle connections", "Connections opened and left silent: what each model pays per connection, and the CPU it burns doing nothing.",
                List.of("backend", "conns", "RSS KB / conn", "threads / conn", "idle CPU %", "threads", "RSS MB", "status"), r);
    }

    private static Table failures(List<CaseResult> failed) {
        List<List<String>> r = new ArrayList<>();
        for (CaseResult c : failed) {
            String output = c.serverOutput == null || c.serverOutput.isEmpty() ? "" : String.join(" / ", c.serverOutput);
            r.add(List.of(c.label(), String.valueOf(c.status), String.valueOf(c.failure), output));
        }
        return new Table("Failed cases", "Failures are results: what happened, and the server's last words.",
                List.of("case", "status", "what happened", "server output"), r);
    }

    private static String us(Long v) {
        return v == null ? "-" : String.format("%,d", v);
    }

    private static String num(Long v) {
        return v == null ? "-" : String.valueOf(v);
    }
}
