package dev.echolab.lab.chapter;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.echolab.common.Cli;
import dev.echolab.common.Durations;
import dev.echolab.lab.peer.Peer;
import dev.echolab.lab.peer.Toolchain;
import dev.echolab.lab.report.Environment;
import dev.echolab.lab.report.KernelTables;
import dev.echolab.lab.report.Charts;
import dev.echolab.lab.report.HtmlReport;
import dev.echolab.lab.report.MarkdownReport;
import dev.echolab.lab.report.Tables;
import dev.echolab.lab.run.CaseResult;
import dev.echolab.lab.run.CaseRunner;
import dev.echolab.lab.run.KernelBillOption;
import dev.echolab.lab.run.RetriesOption;
import dev.echolab.lab.run.Summary;
import dev.echolab.lab.run.Verdict;
import dev.echolab.lab.sample.Sampler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static dev.echolab.lab.run.Summary.fmt;

/**
 * {@code bin/lab chapter}: the chapter's experiments, measured. The GIL (CPU-bound work on
 * threads, greenlets and processes), IO-bound vs CPU-bound work, and processes vs threads for the
 * same server, each as one table of runtimes with the msgs/s they served and the cores they used.
 *
 * <p>Unlike {@code compare}, nothing is pinned: the question is how many cores a runtime can use,
 * so the server may use both, and the load generator runs at a fixed open-loop rate (see
 * {@link ChapterExperiment}) so that what it sends, and so what it burns, is bounded should a
 * runtime be faster than expected (the bound is the reason, not a smaller cost per message: its CPU
 * is in the table). Cores used is the server's process
 * tree's CPU seconds over the wall seconds of the measured interval, from /proc ({@link Sampler}).
 */
@Command(name = "chapter", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the chapter's experiments: the GIL, IO-bound vs CPU-bound work, processes vs threads.",
                "Prints each runtime's msgs/s and the cores it used as tables, and writes results.json and report.md to --out; "
                        + "a runtime that failed or was skipped is in the tables."})
public final class ChapterCommand implements Callable<Integer> {

    @Option(names = "--experiment", paramLabel = "all|ID,...",
            description = "Experiments to run: all, or some of gil, io, processes, locks, deadlock, tickets, select, as-printed, stream, pools, switch "
                    + "(default: ${DEFAULT-VALUE}).")
    String experiment = "all";

    @Option(names = "--runtimes", paramLabel = "all|ID,...",
            description = "Only the rows of these runtimes (backend or peer ids, e.g. nio,py-threads) (default: ${DEFAULT-VALUE}).")
    String runtimes = "all";

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "10s",
            description = "Measured time per runtime (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "2s",
            description = "Warm-up before measuring (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write the results (default: target/lab/chapter-<date-time>).")
    Path out;

    @CommandLine.Mixin
    RetriesOption retries = new RetriesOption(2);

    @CommandLine.Mixin
    KernelBillOption kernelBill = new KernelBillOption();

    @Option(names = "--ready-timeout", paramLabel = "DURATION", defaultValue = "60s", hidden = true)
    Duration readyTimeout;

    /** Where the peers' compilers and Python are found. */
    Toolchain toolchain = Toolchain.system();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream stdout;
    private final PrintStream stderr;
    private final Path home;

    public ChapterCommand() {
        this(System.out, System.err, Path.of(System.getProperty("echolab.home", ".")).toAbsolutePath().normalize());
    }

    ChapterCommand(PrintStream stdout, PrintStream stderr, Path home) {
        this.stdout = stdout;
        this.stderr = stderr;
        this.home = home;
    }

    /**
     * One runtime's line in an experiment's table (results.json {@code experiments[].rows[]}). Built
     * by name through {@link Builder}, never positionally: six of its figures are Doubles or Longs
     * that a positional call could swap without a compiler noticing.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Row(String runtime, String model, String expected, String status, String failure, Double msgsPerS,
                      Double coresUsed, Double serverCpuUsPerMsg, Long p50Us, Long p99Us, Double loadgenCores,
                      Integer processes, Double rssMb, Long fairnessMin, Long fairnessMedian, Long fairnessMax,
                      Long verified, Long counted, Long lost, Double connectsPerS, String verdict, String deadlock,
                      Integer serverExit, Double serverStopS) {

        static Row measured(ChapterExperiment.Runtime r, int cpus, CaseResult c) {
            Long lost = c.verified == null || c.tallyCounted == null ? null : c.verified - c.tallyCounted;
            return of(r, cpus).status(c.status.name()).failure(c.failure).msgsPerS(c.msgsPerS)
                    .fairness(c.fairnessMinMsgs, c.fairnessMedianMsgs, c.fairnessMaxMsgs)
                    .tally(c.verified, c.tallyCounted, lost).connectsPerS(c.connectsPerS).verdict(c.verdict == null ? null : c.verdict.toString())
                    .coresUsed(c.serverCpuPct == null ? null : c.serverCpuPct / 100).serverCpuUsPerMsg(c.serverCpuUsPerMsg)
                    .p50Us(c.p50Us).p99Us(c.p99Us).loadgenCores(c.loadgenCpuPct == null ? null : c.loadgenCpuPct / 100)
                    .processes(c.serverProcesses).rssMb(c.serverRssMbPeak).stop(c.deadlock, c.serverExit, c.serverStopS).build();
        }

        static Row skipped(ChapterExperiment.Runtime r, int cpus, String why) {
            return of(r, cpus).status("skipped").failure(why).build();
        }

        /** A row for one runtime: its names from the experiment, the rest set by name; what is never set stays null. */
        static Builder of(ChapterExperiment.Runtime r, int cpus) {
            return new Builder(r, cpus);
        }

        /** Each setter names the field it sets; {@link #build} is the one positional call, in the record's order. */
        static final class Builder {
            private final ChapterExperiment.Runtime runtime;
            private final int cpus;
            private String status;
            private String failure;
            private Double msgsPerS;
            private Double coresUsed;
            private Double serverCpuUsPerMsg;
            private Long p50Us;
            private Long p99Us;
            private Double loadgenCores;
            private Integer processes;
            private Double rssMb;
            private Long fairnessMin;
            private Long fairnessMedian;
            private Long fairnessMax;
            private Long verified;
            private Long counted;
            private Long lost;
            private String verdict;
            private Double connectsPerS;
            private String deadlock;
            private Integer serverExit;
            private Double serverStopS;

            private Builder(ChapterExperiment.Runtime runtime, int cpus) {
                this.runtime = runtime;
                this.cpus = cpus;
            }

            /** Messages the connection that got the fewest, the median one and the one that got the most completed. */
            Builder fairness(Long min, Long median, Long max) {
                fairnessMin = min;
                fairnessMedian = median;
                fairnessMax = max;
                return this;
            }

            /** Connections the load generator opened per measured second ({@code --reconnect-every}). */
            Builder connectsPerS(Double v) {
                connectsPerS = v;
                return this;
            }

            /** The lab's verdict on the run behind the row ({@code ok}, {@code disturbed} ...). */
            Builder verdict(String v) {
                verdict = v;
                return this;
            }

            /** Echoes verified by the load generator, the server's --tally count, and the updates lost between them. */
            Builder tally(Long verifiedEchoes, Long countedByServer, Long lostUpdates) {
                verified = verifiedEchoes;
                counted = countedByServer;
                lost = lostUpdates;
                return this;
            }

            /** The server's deadlock report (null: none), its exit status on SIGTERM and how long the stop took. */
            Builder stop(String deadlockReport, Integer exit, Double stopSeconds) {
                deadlock = deadlockReport;
                serverExit = exit;
                serverStopS = stopSeconds;
                return this;
            }

            Builder status(String v) {
                status = v;
                return this;
            }

            Builder failure(String v) {
                failure = v;
                return this;
            }

            Builder msgsPerS(Double v) {
                msgsPerS = v;
                return this;
            }

            Builder coresUsed(Double v) {
                coresUsed = v;
                return this;
            }

            Builder serverCpuUsPerMsg(Double v) {
                serverCpuUsPerMsg = v;
                return this;
            }

            Builder p50Us(Long v) {
                p50Us = v;
                return this;
            }

            Builder p99Us(Long v) {
                p99Us = v;
                return this;
            }

            Builder loadgenCores(Double v) {
                loadgenCores = v;
                return this;
            }

            Builder processes(Integer v) {
                processes = v;
                return this;
            }

            Builder rssMb(Double v) {
                rssMb = v;
                return this;
            }

            Row build() {
                return new Row(runtime.label(), runtime.model(), runtime.expected(cpus), status, failure, msgsPerS, coresUsed,
                        serverCpuUsPerMsg, p50Us, p99Us, loadgenCores, processes, rssMb, fairnessMin, fairnessMedian, fairnessMax,
                        verified, counted, lost, connectsPerS, verdict, deadlock, serverExit, serverStopS);
            }
        }
    }

    /**
     * One experiment's settings and rows (results.json {@code experiments[]}). The settings are read
     * from the experiment by name, so its four strings cannot trade places.
     */
    @JsonPropertyOrder({"id", "title", "proves", "work", "connections", "rate", "rows", "switches"})
    public record Result(@JsonIgnore ChapterExperiment experiment, int rate, List<Row> rows, List<SwitchCost.Switch> switches) {

        @JsonProperty
        public String id() {
            return experiment.id;
        }

        @JsonProperty
        public String title() {
            return experiment.title;
        }

        @JsonProperty
        public String proves() {
            return experiment.proves;
        }

        @JsonProperty
        public String work() {
            return experiment.work;
        }

        @JsonProperty
        public int connections() {
            return experiment.connections;
        }

        @JsonProperty
        public int rate() {
            return rate;
        }
    }

    @Override
    public Integer call() throws IOException {
        List<ChapterExperiment> experiments = experiments();
        List<String> only = runtimeIds(experiments);
        validate();
        Path dir = (out != null ? out : home.resolve("target/lab").resolve("chapter-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))).toAbsolutePath();
        Path logs = dir.resolve("logs");
        Files.createDirectories(logs);
        String command = Environment.command(spec);
        String loadBefore = Environment.loadAverage();
        Environment env = Environment.read(home, "not pinned: the server may use every CPU; the load generator shares them",
                "nio", System.getProperty("echolab.jvm.flags", "(not started through bin/lab)"), settings(experiments));
        env.command = command;
        stdout.println(command + ": " + experiments.stream().map(e -> e.id).toList() + ", " + env.cpus
                + " CPUs, not pinned, load average " + loadBefore + "; results in " + dir);

        Map<String, String> skipped = new LinkedHashMap<>();
        CaseRunner runner = new CaseRunner(new CaseRunner.Setup(List.of(home.resolve("bin/server").toString()),
                List.of(home.resolve("bin/loadgen").toString()), peers(experiments, only, dir, skipped), List.of(), List.of(),
                "nio", duration, warmup, readyTimeout, logs));
        kernelBill.applyTo(runner, stderr);
        Map<String, String> kernelSections = new LinkedHashMap<>();
        List<Result> results = new ArrayList<>();
        List<CaseResult> cases = new ArrayList<>();
        int cpus = env.cpus;
        for (ChapterExperiment e : experiments) {
            if (e.kind() == ChapterExperiment.Kind.SWITCH) {
                stdout.printf("%n%s: %s (JMH for Java, peers/switch/ for the others)%n", e.id, e.title);
                List<SwitchCost.Switch> switches = switches(dir);
                results.add(new Result(e, 0, List.of(), switches));
                stdout.print(MarkdownReport.table(SWITCH_HEADERS, switches.stream().map(ChapterCommand::cells).toList()));
                continue;
            }
            int rate = e.rate(cpus);
            stdout.printf("%n%s: %s (--work %s, %d connections%s, %s, %s measured)%n",
                    e.id, e.title, e.work, e.connections, e.pipeline > 1 ? " x " + e.pipeline + " in flight" : "",
                    rate > 0 ? String.format("open loop at %,d msgs/s", rate) : "closed loop", Durations.format(duration));
            List<Row> rows = new ArrayList<>();
            int firstCase = cases.size();
            for (ChapterExperiment.Runtime r : e.runtimes) {
                if (only.isEmpty() || only.contains(r.id())) {
                    rows.add(r.peer() && skipped.containsKey(r.id()) ? Row.skipped(r, cpus, skipped.get(r.id()))
                            : run(e, rate, cpus, r, runner, cases));
                }
            }
            results.add(new Result(e, rate, rows, List.of()));
            stdout.print(MarkdownReport.table(headers(e), rows.stream().map(row -> cells(e, row)).toList()));
            List<CaseResult> experimentCases = cases.subList(firstCase, cases.size());
            kernelSections.put(e.id, KernelTables.markdownSection("Kernel bill: " + e.id, experimentCases));
            stdout.print("\n" + KernelTables.markdownTable("Kernel bill: " + e.id, experimentCases));
        }
        String loadAfter = Environment.loadAverage();
        write(dir, command, env, loadBefore, loadAfter, results, cases, kernelSections);
        stdout.println("\nload average before " + loadBefore + ", after " + loadAfter + "; report: " + dir.resolve("report.md"));
        return 0;
    }

    /**
     * The peers the chosen rows need, built or found once ({@link Peer#prepare}): id to the command
     * that starts it. One that cannot run here goes into {@code skipped} with the line that says why.
     */
    private Map<String, List<String>> peers(List<ChapterExperiment> experiments, List<String> only, Path dir,
                                            Map<String, String> skipped) {
        Map<String, List<String>> commands = new LinkedHashMap<>();
        experiments.stream().flatMap(e -> e.runtimes.stream()).filter(ChapterExperiment.Runtime::peer)
                .map(ChapterExperiment.Runtime::id).distinct().filter(id -> only.isEmpty() || only.contains(id)).forEach(id -> {
                    ByteArrayOutputStream why = new ByteArrayOutputStream();
                    Peer.parse(id).getFirst().prepare(home, dir, toolchain, new PrintStream(why, true, StandardCharsets.UTF_8))
                            .ifPresentOrElse(command -> commands.put(id, command), () -> {
                                String line = why.toString(StandardCharsets.UTF_8).strip();
                                skipped.put(id, line.replaceFirst("^peer \\S+ skipped: ", ""));
                                stdout.println(line);
                            });
                });
        return commands;
    }

    private Row run(ChapterExperiment e, int rate, int cpus, ChapterExperiment.Runtime r, CaseRunner runner, List<CaseResult> cases) {
        CaseResult c = CaseResult.of(r.id(), r.peer(), "load", e.connections, e.work, 1);
        c.rate = rate > 0 ? rate : null;
        c.serverArgs = r.options();
        c.serverPrefix = r.oneCore() ? ONE_CORE : List.of();
        c.idleBeside = r.idle();
        c.loadgenArgs = e.loadgenArgs;
        c.pipeline = e.pipeline;
        stdout.println("  running " + r.label() + " ...");
        c = Verdict.untilUndisturbed(c, runner::run, retries.retries(), () -> false,
                d -> stdout.println("  disturbed " + d.label() + ": " + d.verdictReason + "; running it again"));
        cases.add(c);
        Row row = Row.measured(r, cpus, c);
        stdout.println("  " + r.label() + ": " + Summary.oneLine(c) + ", cores used " + fmt(row.coresUsed(), 2));
        return row;
    }

    /** The server of a one-core row: pinned to CPU 0, every thread it has on one core. */
    private static final List<String> ONE_CORE = List.of("taskset", "-c", "0");

    private static final List<String> SWITCH_HEADERS = List.of("runtime", "switch", "cores", "ns per switch");

    /** The locks experiments add the count held against the verified echoes. */
    private static boolean tallies(ChapterExperiment e) {
        return e == ChapterExperiment.LOCKS || e == ChapterExperiment.TICKETS;
    }

    static List<String> headers(ChapterExperiment e) {
        List<String> h = new ArrayList<>(List.of("runtime", "model", "msgs/s", "cores used", "server CPU µs/msg", "p50 ms", "p99 ms",
                "fairness min/median/max", "loadgen cores", "processes", "RSS MB"));
        if (tallies(e)) {
            h.addAll(List.of("verified", "counted", "lost"));
        }
        if (!e.loadgenArgs.isEmpty()) {
            h.add("connections/s");
        }
        if (e == ChapterExperiment.DEADLOCK) {
            h.addAll(List.of("deadlock reported", "exit on SIGTERM (s to stop)"));
        }
        h.addAll(List.of("expected", "status"));
        return h;
    }

    static List<String> cells(ChapterExperiment e, Row r) {
        List<String> c = new ArrayList<>(List.of(r.runtime(), r.model(), fmt(r.msgsPerS(), 0), fmt(r.coresUsed(), 2),
                fmt(r.serverCpuUsPerMsg(), 1), ms(r.p50Us()), ms(r.p99Us()),
                r.fairnessMin() == null ? "-" : r.fairnessMin() + " / " + r.fairnessMedian() + " / " + r.fairnessMax(),
                fmt(r.loadgenCores(), 2), r.processes() == null ? "-" : String.valueOf(r.processes()), fmt(r.rssMb(), 0)));
        if (tallies(e)) {
            c.addAll(List.of(count(r.verified()), count(r.counted()), count(r.lost())));
        }
        if (!e.loadgenArgs.isEmpty()) {
            c.add(fmt(r.connectsPerS(), 0));
        }
        if (e == ChapterExperiment.DEADLOCK) {
            c.addAll(List.of(r.deadlock() == null ? "none" : r.deadlock(),
                    (r.serverExit() == null ? "killed" : String.valueOf(r.serverExit())) + " (" + fmt(r.serverStopS(), 1) + ")"));
        }
        c.addAll(List.of(r.expected(), r.status() + (r.failure() == null ? "" : ": " + r.failure())));
        return c;
    }

    static List<String> cells(SwitchCost.Switch s) {
        return List.of(s.runtime(), s.kind(), String.valueOf(s.cores()), String.format("%,.0f", s.nsPerSwitch()));
    }

    private static String count(Long n) {
        return n == null ? "-" : String.format("%,d", n);
    }

    /** The switch-cost timings: JMH for Java (1 s iterations, 3 measured), the peers/switch/ programs at their defaults. */
    private List<SwitchCost.Switch> switches(Path dir) throws IOException {
        try {
            return new SwitchCost(home, dir, toolchain, stdout, Duration.ofSeconds(1), 3, 1.0).measure();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private static String ms(Long us) {
        return us == null ? "-" : fmt(us / 1e3, 1);
    }

    private List<ChapterExperiment> experiments() {
        if (experiment.strip().equals("all")) {
            return List.of(ChapterExperiment.values());
        }
        List<ChapterExperiment> chosen = new ArrayList<>();
        for (String id : experiment.split(",")) {
            ChapterExperiment e = Arrays.stream(ChapterExperiment.values()).filter(x -> x.id.equals(id.strip()))
                    .findFirst().orElseThrow(() -> Cli.invalidValue(spec.commandLine(), "--experiment",
                            "unknown experiment '" + id + "' (valid: all, " + Cli.ids(ChapterExperiment.class) + ")"));
            if (!chosen.contains(e)) {
                chosen.add(e);
            }
        }
        return chosen;
    }

    /** The runtimes asked for, each one that some chosen experiment has; empty for all. */
    private List<String> runtimeIds(List<ChapterExperiment> experiments) {
        if (runtimes.strip().equals("all")) {
            return List.of();
        }
        List<String> known = experiments.stream().flatMap(e -> e.runtimes.stream()).map(ChapterExperiment.Runtime::id)
                .distinct().toList();
        List<String> ids = new ArrayList<>();
        for (String id : runtimes.split(",")) {
            if (!known.contains(id.strip())) {
                throw Cli.invalidValue(spec.commandLine(), "--runtimes", "unknown runtime '" + id + "' in these experiments (valid: all, "
                        + String.join(", ", known) + ")");
            }
            ids.add(id.strip());
        }
        return ids;
    }

    private void validate() {
        CommandLine cl = spec.commandLine();
        retries.check(cl);
        if (duration.isZero()) {
            throw Cli.invalid(cl, "--duration", "a duration above zero");
        }
        if (readyTimeout.toMillis() < 1) {
            throw Cli.invalid(cl, "--ready-timeout", "a duration of 1ms or more");
        }
    }

    private Map<String, Object> settings(List<ChapterExperiment> experiments) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("experiments", experiments.stream().map(e -> e.id).toList());
        s.put("runtimes", runtimes);
        s.put("duration_s", duration.toMillis() / 1e3);
        s.put("warmup_s", warmup.toMillis() / 1e3);
        s.put("retries", retries.retries());
        s.put("kernel_bill", kernelBill.on());
        return s;
    }

    private void write(Path dir, String command, Environment env, String loadBefore, String loadAfter,
                       List<Result> results, List<CaseResult> cases, Map<String, String> kernelSections) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", command);
        json.put("load_average_before", loadBefore);
        json.put("load_average_after", loadAfter);
        json.put("verdict", Verdict.overall(cases));
        json.put("environment", env);
        json.put("experiments", results);
        json.put("cases", cases);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("results.json").toFile(), json);
        StringBuilder md = new StringBuilder("# echolab: the chapter's experiments\n\n");
        md.append("`").append(command).append("`, ").append(env.date).append(", commit ").append(env.gitCommit).append("\n\n")
                .append("Machine: ").append(env.cpus).append(" CPUs (").append(env.cpuModel).append("), ").append(env.memory)
                .append(", ").append(env.kernel).append(", ").append(env.jdk).append(". Load average before: ").append(loadBefore)
                .append("; after: ").append(loadAfter).append(". Verdict: ").append(Verdict.overall(cases)).append(".\n\n")
                .append("Nothing pinned: the server may use every CPU, the load generator (`bin/loadgen --driver nio --rate R`, ")
                .append("one message in flight per connection) shares them. Cores used: the server's processes' CPU seconds ")
                .append("(utime + stime from /proc, summed over the process and its children) over the wall seconds of the ")
                .append("load generator's measured interval. ").append(Durations.format(duration)).append(" measured after ")
                .append(Durations.format(warmup)).append(" of warm-up, one run per runtime.\n\n");
        for (Result r : results) {
            md.append("## ").append(r.id()).append(": ").append(r.title()).append("\n\n").append(r.proves()).append("\n\n")
                    .append(r.experiment().kind() == ChapterExperiment.Kind.SWITCH
                            ? MarkdownReport.table(SWITCH_HEADERS, r.switches().stream().map(ChapterCommand::cells).toList())
                            : "`--work " + r.work() + "`, " + r.connections() + " connections, open loop at "
                            + String.format("%,d", r.rate()) + " msgs/s.\n\n"
                            + MarkdownReport.table(headers(r.experiment()), r.rows().stream().map(row -> cells(r.experiment(), row)).toList()))
                    .append('\n');
            if (kernelSections.containsKey(r.id())) {
                md.append(kernelSections.get(r.id())).append('\n');
            }
        }
        Files.writeString(dir.resolve("report.md"), md);
        List<Tables.Table> tables = new ArrayList<>();
        List<Charts.Bars> bars = new ArrayList<>();
        for (Result r : results) {
            String title = r.id() + ": " + r.title();
            if (r.experiment().kind() == ChapterExperiment.Kind.SWITCH) {
                tables.add(new Tables.Table(title, r.proves(), SWITCH_HEADERS, r.switches().stream().map(ChapterCommand::cells).toList()));
                bars.add(new Charts.Bars("chapter-" + r.id(), title, r.proves(), "ns per switch",
                        r.switches().stream().map(x -> x.runtime() + " " + x.kind() + " (" + x.cores() + (x.cores() == 1 ? " core)" : " cores)")).toList(),
                        Map.of("ns per switch", r.switches().stream().map(SwitchCost.Switch::nsPerSwitch).toList())));
                continue;
            }
            tables.add(new Tables.Table(title, r.proves(), headers(r.experiment()),
                    r.rows().stream().map(row -> cells(r.experiment(), row)).toList()));
            Measure m = Measure.of(r.experiment());
            bars.add(new Charts.Bars("chapter-" + r.id(), title + " (" + m.unit + ")", r.proves(), m.unit,
                    r.rows().stream().map(Row::runtime).toList(), Map.of(m.unit, r.rows().stream().map(m.value).toList())));
        }
        Files.writeString(dir.resolve("report.html"), HtmlReport.page("echolab: the chapter's experiments", null,
                Verdict.overall(cases), env, Charts.bars(bars), tables));
    }

    /** What each experiment's chart shows: the figure its lesson turns on. */
    private record Measure(String unit, java.util.function.Function<Row, Double> value) {
        static Measure of(ChapterExperiment e) {
            return switch (e) {
                case GIL, PROCESSES -> new Measure("cores used", Row::coresUsed);
                case LOCKS, TICKETS -> new Measure("lost updates", r -> r.lost() == null ? null : r.lost().doubleValue());
                case SELECT -> new Measure("server CPU µs per message", Row::serverCpuUsPerMsg);
                case POOLS -> new Measure("server CPU µs per connection", Row::serverCpuUsPerMsg);
                default -> new Measure("msgs/s", Row::msgsPerS);
            };
        }
    }
}
