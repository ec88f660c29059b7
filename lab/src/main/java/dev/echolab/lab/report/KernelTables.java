package dev.echolab.lab.report;

import dev.echolab.lab.report.Tables.Table;
import dev.echolab.lab.run.CaseResult;
import dev.echolab.lab.run.Summary;
import dev.echolab.lab.run.Verdict;
import dev.echolab.lab.sample.KernelBill;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import static dev.echolab.lab.run.Summary.fmt;

/**
 * The kernel bill's tables ({@link KernelBill}): per case group, system calls per message by kind,
 * context switches per message and where the server's threads were. The medians over the
 * repetitions the lab did not judge disturbed, as the load tables; the threads of the first of them.
 */
public final class KernelTables {

    static final String METHOD = "Counted by perf stat on kernel tracepoints (syscalls:sys_enter_*, raw_syscalls:sys_enter, "
            + "sched:sched_switch) in every thread and process of the server, over the load generator's measured interval, "
            + "divided by the messages it counted; threads from /proc/PID/task/*/{stat,syscall,wchan} in the middle of that interval. "
            + "Counting makes each of the server's system calls cost more, and so its server µs/msg (how much: docs/lab.md; "
            + "--no-kernel-bill: without).";

    private KernelTables() {
    }

    /** {@code bin/lab compare}: one table per work of the load cases, and one of the idle cases' threads. */
    static List<Table> of(List<CaseResult> cases) {
        List<Table> tables = new ArrayList<>();
        List<CaseResult> load = cases.stream().filter(c -> c.scenario.equals("load") && c.kernelBill != null).toList();
        for (String work : load.stream().map(c -> c.work).distinct().toList()) {
            tables.add(load("Kernel bill, work " + work, load.stream().filter(c -> c.work.equals(work)).toList()));
        }
        List<CaseResult> idle = cases.stream().filter(c -> c.scenario.equals("idle") && c.kernelBill != null).toList();
        if (!idle.isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            groups(idle).forEach(g -> rows.add(List.of(g.name(), String.valueOf(g.cases().getFirst().connections), where(g.cases()))));
            tables.add(new Table("Where the threads wait, idle connections",
                    "The server's threads while its connections sit silent, from /proc/PID/task/*/{stat,syscall,wchan}.",
                    List.of("backend", "conns", "threads"), rows));
        }
        return tables;
    }

    /** {@code bin/lab chapter}: an experiment's kernel bill as a Markdown table (for stdout). */
    public static String markdownTable(String title, List<CaseResult> cases) {
        Table t = load(title, cases);
        return MarkdownReport.table(t.headers(), t.rows());
    }

    /** The same with its heading and note (for report.md). */
    public static String markdownSection(String title, List<CaseResult> cases) {
        Table t = load(title, cases);
        return "### " + t.title() + "\n\n" + t.note() + "\n\n" + MarkdownReport.table(t.headers(), t.rows());
    }

    /**
     * One table of load cases: a row per backend (or runtime) and connection count. A kind of call
     * that no row makes is left out, and the note names it.
     */
    static Table load(String title, List<CaseResult> cases) {
        List<KernelBill.Kind> shown = new ArrayList<>();
        List<String> hidden = new ArrayList<>();
        for (KernelBill.Kind k : KernelBill.Kind.values()) {
            if (cases.stream().map(c -> perMsg(c, k.key)).filter(Objects::nonNull).anyMatch(v -> v >= 0.005)) {
                shown.add(k);
            } else {
                hidden.add(k.header);
            }
        }
        List<String> headers = new ArrayList<>(List.of("backend", "conns", "syscalls / msg"));
        shown.forEach(k -> headers.add(k.header));
        headers.addAll(List.of(KernelBill.OTHER, "voluntary cs / msg", "involuntary cs / msg", "threads (mid-measurement)"));
        List<List<String>> rows = new ArrayList<>();
        for (Group group : groups(cases)) {
            List<CaseResult> all = group.cases();
            List<CaseResult> undisturbed = all.stream().filter(c -> c.verdict != Verdict.Kind.DISTURBED).toList();
            List<CaseResult> g = undisturbed.isEmpty() ? all : undisturbed;
            List<String> row = new ArrayList<>(List.of(group.name(), String.valueOf(all.getFirst().connections)));
            String why = g.stream().filter(c -> c.kernelBill != null).map(c -> c.kernelBill.unavailable).filter(Objects::nonNull).findFirst().orElse(null);
            Double total = median(g, c -> perMsg(c, KernelBill.TOTAL));
            if (total == null) {
                row.add(why == null ? "-" : "unavailable: " + why);
                shown.forEach(k -> row.add("-"));
                row.addAll(List.of("-", "-", "-"));
            } else {
                row.add(fmt(total, 2));
                shown.forEach(k -> row.add(fmt(median(g, c -> perMsg(c, k.key)), 2)));
                row.add(fmt(median(g, c -> perMsg(c, KernelBill.OTHER)), 2));
                row.add(fmt(median(g, c -> c.kernelBill == null ? null : c.kernelBill.voluntaryCtxSwitchesPerMsg), 2));
                row.add(fmt(median(g, c -> c.kernelBill == null ? null : c.kernelBill.involuntaryCtxSwitchesPerMsg), 2));
            }
            row.add(where(g));
            rows.add(row);
        }
        String note = METHOD + " Medians of the repetitions."
                + (hidden.isEmpty() ? "" : " No row made " + String.join(", ", hidden) + " calls (under 0.005 per message): left out.");
        return new Table(title, note, headers, rows);
    }

    /** The repetitions of one thing run: its name in the table and its cases. */
    private record Group(String name, List<CaseResult> cases) {
    }

    /** Cases by what ran: backend or runtime with its options (and "(reference)" for a peer), and connections; in order. */
    private static List<Group> groups(List<CaseResult> cases) {
        Map<List<Object>, Group> groups = new LinkedHashMap<>();
        for (CaseResult c : cases) {
            String name = c.backend + (c.serverArgs.isEmpty() ? "" : " " + String.join(" ", c.serverArgs))
                    + (c.reference ? " (reference)" : "");
            groups.computeIfAbsent(List.of(name, c.connections), k -> new Group(name, new ArrayList<>())).cases().add(c);
        }
        return List.copyOf(groups.values());
    }

    private static String where(List<CaseResult> g) {
        return g.stream().filter(c -> c.kernelBill != null).map(c -> c.kernelBill.threadsSummary).filter(Objects::nonNull).findFirst().orElse("-");
    }

    private static Double perMsg(CaseResult c, String key) {
        return c.kernelBill == null || c.kernelBill.syscallsPerMsg == null ? null : c.kernelBill.syscallsPerMsg.get(key);
    }

    private static Double median(List<CaseResult> g, Function<CaseResult, Double> f) {
        return Summary.median(g, f);
    }
}
