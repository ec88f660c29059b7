package dev.echolab.lab.render;

import com.fasterxml.jackson.databind.JsonNode;
import dev.echolab.lab.run.Verdict;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import static dev.echolab.lab.render.Figures.format;

/**
 * The generated blocks of the docs, {@code <!-- render:VIEW data=NAME [OPTION=VALUE ...] -->}:
 * <ul>
 * <li>{@code publications} (no data): what {@code bin/lab publish} runs for each dataset;</li>
 * <li>{@code source}: where the figures come from: the dataset, its command, commit, date, machine
 *     and the lab's verdict;</li>
 * <li>{@code cpu}: server CPU per message at each connection count, as a ratio to {@link Figures#REFERENCE}
 *     (ties marked), with the verdict's marks and the connections that got no reply;</li>
 * <li>{@code idle}: memory, threads and CPU per idle connection;</li>
 * <li>{@code kernel} ({@code connections=N}, default the largest): system calls and context switches per message;</li>
 * <li>{@code chapter} ({@code experiment=ID}): one experiment of {@code bin/lab chapter};</li>
 * <li>{@code switch}: the chapter's switch-cost timings;</li>
 * <li>{@code sweep}: each server's highest rate under a sweep's p99 bound;</li>
 * <li>{@code chart} ({@code name=FILE}): the CPU-per-message chart of a {@code compare} dataset, or the
 *     latency-against-offered-load chart of a {@code sweep} one, drawn into {@code docs/images/FILE.png};</li>
 * <li>{@code chaos}: {@code bench/chaos.sh}'s summaries, one file per backend ({@link #chaos}).</li>
 * <li>{@code ref}: {@code bench/compare-ref.sh}'s records, as its tables ({@link RefComparison}).</li>
 * <li>{@code loadgen-ref}: {@code bench/loadgen-vs-ref.sh}'s records, as its table ({@link LoadgenComparison}).</li>
 * </ul>
 */
final class Views {

    private Views() {
    }

    /** What {@code bin/lab publish} runs for each dataset, from {@link PublishCommand#PUBLICATIONS} itself. */
    static String publications() {
        List<List<String>> rows = new ArrayList<>();
        for (PublishCommand.Publication p : PublishCommand.PUBLICATIONS) {
            rows.add(List.of("`" + p.dataset() + "`", "`bin/lab " + String.join(" ", p.full()) + "`", String.valueOf(p.runs()),
                    "`bin/lab " + String.join(" ", p.quick()) + "`"));
        }
        return table(List.of("dataset", "command", "runs", "with --quick"), rows);
    }

    static String source(Dataset d, Path docDir, Path dataDir) {
        JsonNode first = d.first();
        JsonNode env = first.get("environment");
        String link = docDir.relativize(dataDir.resolve(d.name())).toString().replace('\\', '/') + "/";
        List<String> commits = d.runs().stream().map(r -> r.path("environment").path("git_commit").asText()).distinct().toList();
        List<String> verdicts = d.runs().stream().map(r -> r.path("verdict").asText("not judged")).toList();
        return String.format("Data: [docs/data/%s](%s) (%s), `%s`, %s, commit %s; %d CPUs (%s), %s, %s; load average %s at the start. "
                        + "The lab's verdict: %s.",
                d.name(), link, d.runs().size() == 1 ? "one run" : d.runs().size() + " runs of the same command",
                env.path("command").asText("?"), env.path("date").asText("?").replaceFirst("\\.\\d+", ""), String.join(", ", commits),
                env.path("cpus").asInt(), env.path("cpu_model").asText(), env.path("kernel").asText(), env.path("jdk").asText(),
                env.path("load_average").asText("?"), String.join("; ", verdicts))
                + ("quick".equals(first.path("publish").path("scale").asText())
                ? " **Published with `bin/lab publish --quick`: a tiny configuration that proves the chain, not figures to draw conclusions from.**"
                : "") + "\n";
    }

    /** Load rows for {@code work}, the reference first, then by CPU per message at the smallest connection count. */
    static List<String> servers(Dataset d, String work) {
        List<JsonNode> load = Dataset.matching(d.rows(), Map.of("scenario", "load", "work", work));
        int first = load.stream().mapToInt(r -> r.get("connections").asInt()).min().orElse(0);
        Function<String, Double> key = b -> load.stream().filter(r -> b.equals(Dataset.text(r, "backend")) && r.get("connections").asInt() == first)
                .map(r -> Dataset.number(r, "cpu_us_per_msg")).filter(Objects::nonNull).findFirst().orElse(Double.MAX_VALUE);
        return load.stream().map(r -> Dataset.text(r, "backend")).distinct()
                .sorted(Comparator.comparing((String b) -> !b.equals(Figures.REFERENCE)).thenComparing(key)).toList();
    }

    static String cpu(Dataset d, String work) {
        Spread spread = Spread.of(d);
        List<JsonNode> load = Dataset.matching(d.rows(), Map.of("scenario", "load", "work", work));
        List<Integer> conns = load.stream().map(r -> r.get("connections").asInt()).distinct().sorted().toList();
        List<String> headers = new ArrayList<>(List.of("server"));
        conns.forEach(n -> headers.add(format((double) n, 0) + " conns: µs/msg (× " + Figures.REFERENCE + ")"));
        headers.add("threads at " + format((double) conns.getLast(), 0));
        headers.add("no reply");
        List<List<String>> rows = new ArrayList<>();
        for (String b : servers(d, work)) {
            List<String> cells = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            JsonNode any = null;
            for (int n : conns) {
                JsonNode r = Dataset.matching(load, Map.of("backend", b, "connections", String.valueOf(n))).stream().findFirst().orElse(null);
                if (r == null) {
                    cells.add("-");
                    continue;
                }
                any = r;
                cells.add(cpuCell(d, spread, r) + marks(r));
                long starved = r.path("starved").asLong(0);
                if (starved > 0) {
                    notes.add(format((double) starved, 0) + " of " + format((double) n, 0));
                }
            }
            JsonNode last = Dataset.matching(load, Map.of("backend", b, "connections", String.valueOf(conns.getLast()))).stream().findFirst().orElse(null);
            cells.add(last == null || last.get("threads").isNull() ? "-" : format(last.get("threads").asDouble(), 0));
            cells.add(notes.isEmpty() ? "" : String.join(", ", notes));
            String name = b + (any != null && any.path("reference").asBoolean() ? " (peer)" : "");
            List<String> row = new ArrayList<>(List.of(name));
            row.addAll(cells);
            rows.add(row);
        }
        Double s = spread.run();
        return table(headers, rows) + "\n"
                + "Server CPU time per message, median of the repetitions the lab counted; in brackets the ratio to "
                + Figures.REFERENCE + " at the same connections"
                + (s == null ? " (no case was measured twice undisturbed: no spread, so no difference here is a finding)"
                : "; **tie**: the difference is within the run-to-run spread (the larger of the two servers' own spread over "
                + "their repetitions and the run's median spread, " + format(s * 100, 0) + "%), so the run cannot tell them apart")
                + ". † load-generator-bound (msgs/s was the load generator's ceiling, µs/msg an upper bound); "
                + "‡ disturbed repetitions left out. No reply: connections that never got an echo in the measured interval.\n";
    }

    private static String cpuCell(Dataset d, Spread spread, JsonNode r) {
        Double us = Dataset.number(r, "cpu_us_per_msg");
        if (us == null) {
            return "-";
        }
        String b = Dataset.text(r, "backend");
        if (b.equals(Figures.REFERENCE)) {
            return format(us, 1);
        }
        Double ratio = Figures.ratio(d, r);
        if (ratio == null) {
            return format(us, 1);
        }
        String conns = Dataset.text(r, "connections");
        String work = Dataset.text(r, "work");
        Boolean tie = spread.tie(ratio, Spread.key(b, conns, work), Spread.key(Figures.REFERENCE, conns, work));
        return format(us, 1) + " (" + format(ratio, 2) + (Boolean.TRUE.equals(tie) ? ", tie" : "") + ")";
    }

    private static String marks(JsonNode r) {
        int disturbed = r.path("disturbed").asInt(0);
        return (r.path("loadgen_bound").asInt(0) > 0 ? " †" : "")
                + (disturbed > 0 ? " ‡ " + disturbed + " of " + r.path("runs").asInt() : "");
    }

    /** The kernel-bill columns: results.json keys under {@code kernel_bill.syscalls_per_msg}, and their headers. */
    private static final List<List<String>> SYSCALLS = List.of(List.of("total", "system calls"), List.of("read", "read/recv"),
            List.of("write", "write/send"), List.of("epoll_wait", "epoll_wait"), List.of("epoll_ctl", "epoll_ctl"),
            List.of("io_uring_enter", "io_uring_enter"), List.of("futex", "futex"));

    /**
     * What each server asked of the kernel per message ({@code kernel_bill} of its load cases at
     * {@code connections}): the median over the repetitions the lab counted. The counts are exact
     * (perf stat on tracepoints), so a disturbed machine moves them less than it moves CPU time, but
     * batching (more ready sockets per epoll_wait) still follows the load.
     */
    static String kernel(Dataset d, String work, String connections) {
        List<JsonNode> cases = d.countedLoadCases().stream().filter(c -> work.equals(Dataset.text(c, "work"))).toList();
        String at = connections != null ? connections
                : cases.stream().map(c -> c.get("connections").asInt()).max(Integer::compare).map(String::valueOf).orElse("0");
        List<JsonNode> bills = cases.stream().filter(c -> at.equals(Dataset.text(c, "connections")))
                .filter(c -> c.path("kernel_bill").path("syscalls_per_msg").isObject()).toList();
        if (bills.isEmpty()) {
            return "No kernel bill in dataset " + d.name() + ": its runs did not count system calls (perf missing or not permitted, "
                    + "`--no-kernel-bill`, or a lab from before the count), or the lab judged every repetition disturbed.\n";
        }
        List<String> headers = new ArrayList<>(List.of("server"));
        SYSCALLS.forEach(k -> headers.add(k.get(1)));
        headers.add("context switches (voluntary + involuntary)");
        List<List<String>> rows = new ArrayList<>();
        for (String b : servers(d, work)) {
            List<JsonNode> mine = bills.stream().filter(c -> b.equals(Dataset.text(c, "backend"))).toList();
            if (mine.isEmpty()) {
                continue;
            }
            List<String> row = new ArrayList<>(List.of(b + (mine.getFirst().path("reference").asBoolean() ? " (peer)" : "")));
            for (List<String> k : SYSCALLS) {
                row.add(format(Dataset.median(mine.stream().map(c -> Dataset.number(c.get("kernel_bill").get("syscalls_per_msg"), k.get(0))).toList()), 3));
            }
            row.add(format(Dataset.median(mine.stream().map(c -> {
                Double v = Dataset.number(c.get("kernel_bill"), "voluntary_ctx_switches_per_msg");
                Double i = Dataset.number(c.get("kernel_bill"), "involuntary_ctx_switches_per_msg");
                return v == null || i == null ? null : v + i;
            }).toList()), 3));
            rows.add(row);
        }
        return table(headers, rows) + "\nPer echoed message at " + format(Double.parseDouble(at), 0) + " connections, work " + work
                + ": the server's system calls by kind and its context switches over the measured interval, counted by perf stat "
                + "on kernel tracepoints (the lab's kernel bill, docs/lab.md); median of the repetitions the lab counted.\n";
    }

    static String idle(Dataset d) {
        List<JsonNode> idle = Dataset.matching(d.rows(), Map.of("scenario", "idle")).stream()
                .sorted(Comparator.comparing((JsonNode r) -> Dataset.number(r, "rss_per_connection_kb"), Comparator.nullsLast(Double::compare)))
                .toList();
        // where the threads wait, when the lab looked (the kernel bill's snapshot of an idle case)
        Map<String, String> waits = new HashMap<>();
        d.runs().stream().flatMap(r -> Dataset.stream(r.get("cases"))).filter(c -> "idle".equals(Dataset.text(c, "scenario")))
                .forEach(c -> {
                    String w = Dataset.text(c.path("kernel_bill"), "threads_summary");
                    if (w != null) {
                        waits.putIfAbsent(c.get("backend").asText(), w);
                    }
                });
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode r : idle) {
            List<String> row = new ArrayList<>(List.of(r.get("backend").asText() + (r.path("reference").asBoolean() ? " (peer)" : ""),
                    format(Dataset.number(r, "connections"), 0), format(Dataset.number(r, "rss_per_connection_kb"), 1),
                    format(Dataset.number(r, "threads_per_connection"), 3), format(Dataset.number(r, "idle_cpu_pct"), 1),
                    format(Dataset.number(r, "threads"), 0)));
            if (!waits.isEmpty()) {
                row.add(waits.getOrDefault(r.get("backend").asText(), "-"));
            }
            rows.add(row);
        }
        List<String> headers = new ArrayList<>(List.of("server", "idle connections", "RSS KB per connection", "threads per connection",
                "idle CPU % of a core", "threads"));
        if (!waits.isEmpty()) {
            headers.add("where the threads wait");
        }
        return table(headers, rows)
                + "\nOne reading per server: RSS and threads after the connections each echoed one line and fell silent, minus before; "
                + "idle CPU over the seconds they sat silent" + (waits.isEmpty() ? "" : "; where the threads wait: the lab's look at /proc meanwhile")
                + ".\n";
    }

    static String chapter(Dataset d, String experiment) {
        List<JsonNode> rows = Dataset.matching(d.rows(), Map.of("experiment", experiment));
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("dataset " + d.name() + " has no experiment " + experiment);
        }
        boolean tally = rows.stream().anyMatch(r -> r.hasNonNull("lost"));
        boolean churn = rows.stream().anyMatch(r -> r.path("connects_per_s").asDouble() > 0);
        boolean deadlock = rows.stream().anyMatch(r -> r.hasNonNull("deadlock"));
        List<String> runtimes = rows.stream().map(r -> r.get("runtime").asText()).distinct().toList();
        List<List<String>> out = new ArrayList<>();
        for (String rt : runtimes) {
            List<JsonNode> all = rows.stream().filter(r -> r.get("runtime").asText().equals(rt)).toList();
            // as compare's medians: a run the lab judged disturbed is counted, not averaged
            List<JsonNode> mine = all.stream().filter(r -> !"disturbed".equals(verdict(d, experiment, r))).toList();
            JsonNode first = all.getFirst();
            List<String> status = all.stream().map(r -> r.get("status").asText()).distinct().toList();
            int left = all.size() - mine.size();
            List<String> cells = new ArrayList<>(List.of("`" + rt + "`", first.path("model").asText(), range(mine, "msgs_per_s", 0, 1),
                    range(mine, "cores_used", 2, 1), range(mine, "server_cpu_us_per_msg", 0, 1),
                    range(mine, "p50_us", 1, 1e-3) + " / " + range(mine, "p99_us", 1, 1e-3),
                    range(mine, "loadgen_cores", 2, 1), range(mine, "processes", 0, 1), range(mine, "rss_mb", 0, 1)));
            if (tally) {
                cells.addAll(List.of(range(mine, "verified", 0, 1), range(mine, "lost", 0, 1)));
            }
            if (churn) {
                cells.add(range(mine, "connects_per_s", 0, 1));
            }
            if (deadlock) {
                // the report names threads and locks, the same in every run that deadlocked: the first one's
                cells.add(mine.stream().map(r -> Dataset.text(r, "deadlock")).filter(Objects::nonNull).findFirst().orElse("none"));
                cells.add(String.join(", ", mine.stream().map(r -> r.path("server_exit").isNull() ? "killed"
                        : r.get("server_exit").asText()).distinct().toList()) + " (" + range(mine, "server_stop_s", 1, 1) + ")");
            }
            cells.addAll(List.of(first.path("expected").asText(), String.join(", ", status) + (left > 0 ? " ‡ " + left + " of " + all.size() : "")));
            out.add(cells);
        }
        List<String> headers = new ArrayList<>(List.of("runtime", "model", "msgs/s", "cores used", "server µs/msg", "p50 / p99 ms",
                "loadgen cores", "processes", "RSS MB"));
        if (tally) {
            headers.addAll(List.of("verified echoes", "lost updates"));
        }
        if (churn) {
            headers.add("connections/s");
        }
        if (deadlock) {
            headers.addAll(List.of("deadlock reported", "exit on SIGTERM (s to stop)"));
        }
        headers.addAll(List.of("the chapter expects", "status"));
        return table(headers, out)
                + "\n" + (d.runs().size() > 1 ? "Median of the " + d.runs().size() + " runs the lab did not judge disturbed, and their range in brackets; "
                : "One run; ") + "‡ runs judged disturbed, left out. "
                + "Cores used: the server's CPU seconds (all its processes, from /proc) over the measured wall seconds."
                + (tally ? " Lost updates: echoes the load generator verified less the server's count." : "") + "\n";
    }

    /** The switch-cost experiment: one switch in each runtime, median of the runs and their range. */
    static String switches(Dataset d) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode run : d.runs()) {
            Dataset.stream(run.get("experiments")).filter(e -> "switch".equals(Dataset.text(e, "id")))
                    .forEach(e -> Dataset.stream(e.get("switches")).forEach(all::add));
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException("dataset " + d.name() + " has no switch timings");
        }
        List<String> keys = all.stream().map(s -> s.get("runtime").asText() + " " + s.get("kind").asText() + " " + s.get("cores").asInt())
                .distinct().toList();
        List<List<String>> out = new ArrayList<>();
        for (String key : keys) {
            List<JsonNode> mine = all.stream().filter(s -> key.equals(s.get("runtime").asText() + " " + s.get("kind").asText() + " "
                    + s.get("cores").asInt())).toList();
            JsonNode first = mine.getFirst();
            out.add(List.of(first.get("runtime").asText(), first.get("kind").asText(), first.get("cores").asText(),
                    range(mine, "ns_per_switch", 0, 1)));
        }
        return table(List.of("runtime", "switch", "cores", "ns per switch"), out)
                + "\n" + (d.runs().size() > 1 ? "Median of the " + d.runs().size() + " runs, their range in brackets. " : "One run. ")
                + "Each a ping-pong between two tasks; cores: how many the runtime could run them on.\n";
    }

    /**
     * A sweep's answer: each server's highest rate under the p99 bound, the step where it stopped and
     * why, and the verdicts of its steps.
     */
    static String sweep(Dataset d) {
        JsonNode run = d.first();
        if (!run.has("models")) {
            throw new IllegalArgumentException("dataset " + d.name() + " is not a sweep (no models)");
        }
        String bound = format(run.path("environment").path("settings").path("max_p99_us").asDouble() / 1e3, 1);
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode m : run.get("models")) {
            List<JsonNode> steps = Dataset.stream(m.get("steps")).toList();
            JsonNode last = steps.isEmpty() ? null : steps.getLast();
            String disturbedLabel = Verdict.Kind.DISTURBED.toString();
            String boundLabel = Verdict.Kind.LOADGEN_BOUND.toString();
            long disturbed = steps.stream().filter(s -> disturbedLabel.equals(s.path("verdict").asText())).count();
            long lgBound = steps.stream().filter(s -> boundLabel.equals(s.path("verdict").asText())).count();
            boolean lastBound = last != null && boundLabel.equals(last.path("verdict").asText());
            rows.add(List.of(m.get("id").asText() + (m.path("reference").asBoolean() ? " (peer)" : ""),
                    m.path("highest_rate_under_bound").isNull() ? "none" : format(m.get("highest_rate_under_bound").asDouble(), 0),
                    last == null ? "-" : format(last.get("offered").asDouble(), 0) + ": p99 " + format(Dataset.number(last, "p99_us") == null
                            ? null : Dataset.number(last, "p99_us") / 1e3, 1) + " ms" + (lastBound ? " †" : ""),
                    m.path("stop").asText(), steps.size() + (disturbed > 0 ? " (‡ " + disturbed + " disturbed)" : "")
                            + (lgBound > 0 ? " († " + lgBound + " load-generator-bound)" : "")));
        }
        return table(List.of("server", "highest rate (msgs/s) with p99 ≤ " + bound + " ms", "last step (msgs/s)", "stopped because", "steps"), rows)
                + "\nEach step an open-loop lab case of its own (fresh server, warm-up, the lab's verdict, rerun once when disturbed); "
                + "the rate grows by the factor in the command until the corrected p99 passes the bound, an error appears or the "
                + "server falls behind the schedule. ‡ steps still judged disturbed after the rerun; † steps where the load "
                + "generator was saturated and the server was not: a stop there is the load generator's limit, and the answer a lower bound.\n";
    }

    /** The lab's verdict on the case behind one chapter row ({@code ok}, {@code disturbed} ...), or null. */
    private static String verdict(Dataset d, String experiment, JsonNode row) {
        if (row.hasNonNull("verdict")) {
            return row.get("verdict").asText();
        }
        JsonNode run = d.runs().get(row.get("run").asInt() - 1);
        JsonNode e = Dataset.stream(run.get("experiments")).filter(x -> experiment.equals(Dataset.text(x, "id"))).findFirst().orElseThrow();
        String label = row.get("runtime").asText();
        return Dataset.stream(run.get("cases")).filter(c -> label.equals(label(c)) && Dataset.text(c, "work").equals(Dataset.text(e, "work"))
                        && c.path("connections").asInt() == e.path("connections").asInt())
                .map(c -> Dataset.text(c, "verdict")).filter(Objects::nonNull).findFirst().orElse(null);
    }

    /** How the chapter labels a case: the runtime id and its extra server options. */
    private static String label(JsonNode c) {
        List<String> parts = new ArrayList<>(List.of(c.get("backend").asText()));
        Dataset.stream(c.get("server_args")).forEach(a -> parts.add(a.asText()));
        return String.join(" ", parts);
    }

    private static String range(List<JsonNode> rows, String field, int decimals, double scale) {
        List<Double> v = rows.stream().map(r -> Dataset.number(r, field)).filter(Objects::nonNull).map(x -> x * scale).toList();
        if (v.isEmpty()) {
            return "-";
        }
        String median = format(Dataset.median(v), decimals);
        if (v.size() == 1) {
            return median;
        }
        String lo = format(v.stream().min(Double::compare).get(), decimals);
        String hi = format(v.stream().max(Double::compare).get(), decimals);
        return lo.equals(hi) ? median : median + " (" + lo + "-" + hi + ")";
    }

    /**
     * {@code bench/chaos.sh}'s summaries in {@code dir} ({@code docs/data/NAME/BACKEND.json}, as the
     * script writes them), one row per run in the order they ran, then where they come from.
     */
    static String chaos(Path dir, Path docDir) {
        List<JsonNode> runs = new ArrayList<>();
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                runs.add(Dataset.JSON.readTree(f.toFile()));
            }
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("no chaos summaries in " + dir + ": " + e.getMessage());
        }
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no chaos summaries in " + dir);
        }
        runs.sort(Comparator.comparing(r -> r.path("date").asText()));
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode r : runs) {
            rows.add(List.of(r.path("backend").asText(), format(r.path("seconds").asDouble(), 0) + " s",
                    counts(r.path("faults_injected")), format(r.path("failures").asDouble(), 0) + " (" + counts(r.path("failures_by_kind")) + ")",
                    format(r.path("recovered").asDouble(), 0), format(r.path("connections_lost").asDouble(), 0),
                    format(r.path("availability").asDouble() * 100, 3) + "%",
                    format(r.path("lost_msgs").asDouble(), 0) + " / " + format(r.path("lost_bytes").asDouble(), 0),
                    format(r.path("mismatches").asDouble(), 0), format(r.path("newcomers_failed").asDouble(), 0),
                    format(r.path("rss_mib").path("start").asDouble(), 0) + " → " + format(r.path("rss_mib").path("end").asDouble(), 0),
                    format(r.path("threads").path("start").asDouble(), 0) + " → " + format(r.path("threads").path("end").asDouble(), 0)));
        }
        String link = docDir.relativize(dir).toString().replace('\\', '/') + "/";
        JsonNode first = runs.getFirst();
        return table(List.of("backend", "time", "faults injected", "failures (by kind)", "recovered", "connections lost",
                "availability", "lost messages / bytes", "mismatches", "newcomers not served", "group RSS MiB", "threads"), rows)
                + "\nData: [docs/data/" + dir.getFileName() + "](" + link + "), one summary per run: `"
                + String.join("`, `", runs.stream().map(r -> r.path("command").asText()).toList()) + "`; commit "
                + String.join(", ", runs.stream().map(r -> r.path("commit").asText()).distinct().toList()) + "; "
                + String.join(" to ", runs.stream().map(r -> r.path("date").asText()).distinct()
                        .filter(d -> d.equals(first.path("date").asText()) || d.equals(runs.getLast().path("date").asText())).toList())
                + "; " + first.path("machine").asText()
                + ". " + format(first.path("connections").asDouble(), 0) + " connections, "
                + format(first.path("period_s").asDouble(), 0) + " s after each fault.\n";
    }

    /**
     * {@code bench/compare-ref.sh}'s records in {@code dir} ({@code results.jsonl}, as the script
     * writes them): where they come from, then the tables the script printed ({@link RefComparison}).
     */
    static String ref(Path dir, Path docDir) {
        if (!java.nio.file.Files.exists(dir.resolve("results.jsonl"))) {
            return refVariants(dir, docDir);
        }
        RefComparison c;
        try {
            c = RefComparison.read(dir.resolve("results.jsonl"), RefComparison.SATURATED);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("no compare-ref records in " + dir + ": " + e.getMessage());
        }
        JsonNode run = c.run();
        String link = docDir.relativize(dir).toString().replace('\\', '/') + "/";
        Double cost = c.callCost();
        return "Data: [docs/data/" + dir.getFileName() + "](" + link + "), `" + run.path("command").asText("?") + "`, "
                + run.path("date").asText("?") + ", commit " + run.path("commit").asText("?") + "; " + run.path("machine").asText("?")
                + "; one system call " + (cost == null ? "not measured" : format(cost, 3) + " µs") + " (median of the run's measurements).\n\n"
                + c.tables();
    }

    /** {@code bench/loadgen-vs-ref.sh}'s records in {@code dir} ({@code results.jsonl}): where they come from, then its table. */
    static String loadgenRef(Path dir, Path docDir) {
        LoadgenComparison c;
        try {
            c = LoadgenComparison.read(dir.resolve("results.jsonl"));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("no loadgen-vs-ref records in " + dir + ": " + e.getMessage());
        }
        JsonNode run = c.run();
        String link = docDir.relativize(dir).toString().replace('\\', '/') + "/";
        return "Data: [docs/data/" + dir.getFileName() + "](" + link + "), `" + run.path("command").asText("?") + "`, "
                + run.path("date").asText("?") + ", commit " + run.path("commit").asText("?") + "; " + run.path("machine").asText("?")
                + ". The C server ref-echo on CPU 0, each load generator in turn on CPU 1.\n\n" + c.tables();
    }

    /**
     * Runs of {@code bench/compare-ref.sh} that differ in one setting, one folder each under
     * {@code dir} ({@code dir/VARIANT/results.jsonl}): each variant's ratio to ref-echo in its own
     * pairs, side by side, and the command of each run.
     */
    private static String refVariants(Path dir, Path docDir) {
        List<List<String>> rows = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        List<Path> variants;
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(dir)) {
            variants = s.filter(p -> java.nio.file.Files.exists(p.resolve("results.jsonl"))).sorted().toList();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("no compare-ref records in " + dir + ": " + e.getMessage());
        }
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("no compare-ref records in " + dir + " (results.jsonl, or VARIANT/results.jsonl)");
        }
        for (Path v : variants) {
            RefComparison c;
            try {
                c = RefComparison.read(v.resolve("results.jsonl"), RefComparison.SATURATED);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot read " + v + ": " + e.getMessage());
            }
            String name = v.getFileName().toString();
            rows.addAll(c.ratioRows(name));
            sources.add("`" + name + "`: `" + c.run().path("command").asText("?") + "`, " + c.run().path("date").asText("?")
                    + ", commit " + c.run().path("commit").asText("?"));
        }
        String link = docDir.relativize(dir).toString().replace('\\', '/') + "/";
        return table(List.of("variant", "server", "case", "server CPU us/msg (ratio to ref-echo within each pair [min-max])"), rows)
                + "\nData: [docs/data/" + dir.getFileName() + "](" + link + "), one run per variant: "
                + String.join("; ", sources) + ".\n";
    }

    /** {@code {"reset": 3, "closed_early": 2}} as {@code reset 3, closed early 2}; zeros left out. */
    private static String counts(JsonNode byName) {
        List<String> parts = new ArrayList<>();
        byName.properties().forEach(e -> {
            if (e.getValue().asLong() > 0) {
                parts.add(e.getKey().replace('_', ' ') + " " + format(e.getValue().asDouble(), 0));
            }
        });
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    static String table(List<String> headers, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| ").append(String.join(" | ", headers)).append(" |\n|");
        headers.forEach(h -> sb.append(" --- |"));
        sb.append('\n');
        for (List<String> r : rows) {
            sb.append("| ").append(String.join(" | ", r.stream().map(c -> c.replace("|", "\\|")).toList())).append(" |\n");
        }
        return sb.toString();
    }
}
