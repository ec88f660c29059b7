package dev.echolab.lab.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.echolab.common.Cli;
import dev.echolab.common.Durations;
import dev.echolab.lab.compare.Pinning;
import dev.echolab.lab.peer.Peer;
import dev.echolab.lab.peer.Toolchain;
import dev.echolab.lab.report.Charts;
import dev.echolab.lab.report.Environment;
import dev.echolab.lab.report.HtmlReport;
import dev.echolab.lab.report.MarkdownReport;
import dev.echolab.lab.report.Tables;
import dev.echolab.lab.run.CaseResult;
import dev.echolab.lab.run.CaseRunner;
import dev.echolab.lab.run.RetriesOption;
import dev.echolab.lab.run.Targets;
import dev.echolab.lab.run.Verdict;
import dev.echolab.loadgen.search.RateSearch;
import dev.echolab.loadgen.search.RateSearch.Outcome;
import dev.echolab.loadgen.search.RateSearch.Plan;
import dev.echolab.loadgen.search.RateSearch.Step;
import dev.echolab.server.Work;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static dev.echolab.lab.run.Summary.fmt;

/**
 * {@code bin/lab sweep}: latency against offered load, the picture that tells the models apart.
 * Each server (backend or peer) is loaded open loop at rising rates ({@link RateSearch}: each step
 * {@code --factor} times the last) until its corrected p99 passes {@code --max-p99}, an error
 * appears, or it falls behind the schedule; every step is a lab case of its own (its own server
 * process, pinned as {@code compare} pins it, judged and rerun when disturbed). The table gives
 * each model's highest rate under the bound; the chart draws p50 and p99 against the offered rate.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load each server open loop at rising rates until its p99 passes a bound.",
                "Writes each model's curve (p50 and p99 against offered rate) and its highest rate under the bound; "
                        + "a step that failed is in the tables."})
public final class SweepCommand implements Callable<Integer> {

    @Option(names = "--backends", paramLabel = "all|none|ID,...", description = "Backends to sweep (default: ${DEFAULT-VALUE}).")
    String backends = "nio,virtual,blocking";

    @Option(names = "--peers", paramLabel = "all|none|ID,...", completionCandidates = Peer.Ids.class,
            description = "Peers to sweep beside them: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    String peers = "c-epoll";

    @Option(names = "--connections", paramLabel = "N", description = "Connections sharing the rate (default: ${DEFAULT-VALUE}).")
    int connections = 50;

    @Option(names = "--work", paramLabel = "none|io:D|cpu:D", description = "Per-message work, as bin/server --work (default: ${DEFAULT-VALUE}).")
    String work = "none";

    @Option(names = "--max-p99", paramLabel = "DURATION", defaultValue = "10ms",
            description = "The bound on the corrected p99 (default: ${DEFAULT-VALUE}).")
    Duration maxP99;

    @Option(names = "--start-rate", paramLabel = "MSGS_PER_S", description = "The first step's rate (default: ${DEFAULT-VALUE}).")
    int startRate = 1000;

    @Option(names = "--factor", paramLabel = "X", description = "Each step's rate over the last one's (default: ${DEFAULT-VALUE}).")
    double factor = 1.5;

    @Option(names = "--max-steps", paramLabel = "N", description = "Steps per server at most (default: ${DEFAULT-VALUE}).")
    int maxSteps = 14;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "3s", description = "Measured time per step (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "2s", description = "Warm-up per step (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @CommandLine.Mixin
    RetriesOption retries = new RetriesOption(1);

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write the results (default: target/lab/sweep-<date-time>).")
    Path out;

    @Option(names = "--ready-timeout", paramLabel = "DURATION", defaultValue = "60s", hidden = true)
    Duration readyTimeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    Toolchain toolchain = Toolchain.system();
    private final PrintStream stdout;
    private final PrintStream stderr;
    private final Path home;

    public SweepCommand() {
        this(System.out, System.err, Path.of(System.getProperty("echolab.home", ".")).toAbsolutePath().normalize());
    }

    SweepCommand(PrintStream stdout, PrintStream stderr, Path home) {
        this.stdout = stdout;
        this.stderr = stderr;
        this.home = home;
    }

    /** One step of a curve (results.json {@code models[].steps[]}). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record StepResult(double offered, Double achieved, Long p50Us, Long p99Us, long errors, String verdict, String status) {
    }

    /** One server's curve and its answer (results.json {@code models[]}). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Model(String id, boolean reference, List<StepResult> steps, Double highestRateUnderBound, String stop) {
    }

    @Override
    public Integer call() throws IOException {
        Plan plan = plan();
        List<String> ids = Targets.backends(backends, spec.commandLine());
        List<Peer> peerList = Targets.peers(peers, spec.commandLine());
        Path dir = (out != null ? out : home.resolve("target/lab").resolve("sweep-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))).toAbsolutePath();
        Path logs = dir.resolve("logs");
        Files.createDirectories(logs);
        Pinning pinning = Pinning.detect();
        Map<String, List<String>> peerCommands = Peer.commands(peerList, home, dir, toolchain, stderr);
        CaseRunner runner = new CaseRunner(new CaseRunner.Setup(List.of(home.resolve("bin/server").toString()),
                List.of(home.resolve("bin/loadgen").toString()), peerCommands, pinning.server(), pinning.loadgen(), "nio",
                duration, warmup, readyTimeout, logs));
        Map<String, Boolean> targets = new LinkedHashMap<>();
        ids.forEach(id -> targets.put(id, false));
        peerCommands.keySet().forEach(id -> targets.put(id, true));
        stdout.println("sweeping " + String.join(", ", targets.keySet()) + ": " + connections + " connections, --work " + work
                + ", from " + startRate + " msgs/s x" + factor + " until p99 > " + Durations.format(maxP99) + " (at most "
                + maxSteps + " steps each); " + pinning.description() + "; results in " + dir);
        List<Model> models = new ArrayList<>();
        List<CaseResult> cases = new ArrayList<>();
        for (var target : targets.entrySet()) {
            List<StepResult> steps = new ArrayList<>();
            Outcome o;
            try {
                o = RateSearch.run(plan, rate -> {
                    CaseResult c = CaseResult.of(target.getKey(), target.getValue(), "load", connections, work, 1);
                    c.rate = (int) Math.round(rate);
                    CaseResult r = Verdict.untilUndisturbed(c, runner::run, retries.retries(), () -> false,
                            d -> stdout.println("  disturbed " + d.label() + " at " + d.rate + " msgs/s: " + d.verdictReason + "; again"));
                    cases.add(r);
                    Step step = step(r);
                    steps.add(new StepResult(c.rate, r.msgsPerS, r.p50Us, r.p99Us, step.errors(),
                            r.verdict == null ? null : r.verdict.toString(), r.status + (r.failure == null ? "" : ": " + r.failure)));
                    stdout.printf("  %s at %,d msgs/s: achieved %s, p50 %s ms, p99 %s ms%s%n", target.getKey(), c.rate,
                            fmt(r.msgsPerS, 0), ms(r.p50Us), ms(r.p99Us), step.errors() > 0 ? ", " + step.errors() + " errors" : "");
                    return step;
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            models.add(new Model(target.getKey(), target.getValue(), steps,
                    o.capacity().isPresent() ? o.capacity().getAsDouble() : null, o.stop()));
            stdout.println("  " + target.getKey() + ": " + answer(models.getLast()) + " (" + o.stop() + ")");
        }
        Environment env = Environment.read(home, pinning.description(), "nio",
                System.getProperty("echolab.jvm.flags", "(not started through bin/lab)"), settings(targets.keySet()));
        env.command = Environment.command(spec);
        write(dir, env, models, cases);
        stdout.println();
        stdout.print(MarkdownReport.table(headers(), models.stream().map(this::cells).toList()));
        stdout.println("report: " + dir.resolve("report.md") + " and report.html");
        return 0;
    }

    /** A lab case as a step of the search: a failed case or any error is a miss. */
    static Step step(CaseResult r) {
        long errors = (r.errors == null ? 0 : r.errors) + (r.mismatches == null ? 0 : r.mismatches)
                + (r.status == CaseResult.Status.failed ? 1 : 0);
        return new Step(r.rate, r.msgsPerS == null ? 0 : r.msgsPerS, r.p50Us == null ? Long.MAX_VALUE : r.p50Us,
                r.p99Us == null ? Long.MAX_VALUE : r.p99Us, errors);
    }

    private Plan plan() {
        CommandLine cl = spec.commandLine();
        if (connections < 1) {
            throw Cli.invalid(cl, "--connections", "a number of connections (1 or more)");
        }
        if (maxP99.toNanos() < 1000) {
            throw Cli.invalid(cl, "--max-p99", "a duration of 1us or more");
        }
        if (startRate < 1) {
            throw Cli.invalid(cl, "--start-rate", "a rate of 1 msgs/s or more");
        }
        if (!(factor > 1) || factor > 100) {
            throw Cli.invalid(cl, "--factor", "a number above 1 (at most 100)");
        }
        if (maxSteps < 1 || maxSteps > 100) {
            throw Cli.invalid(cl, "--max-steps", "a number of steps from 1 to 100");
        }
        if (duration.isZero()) {
            throw Cli.invalid(cl, "--duration", "a duration above zero");
        }
        retries.check(cl);
        try {
            Work.parse(work);
        } catch (IllegalArgumentException e) {
            throw Cli.invalidValue(cl, "--work", e.getMessage());
        }
        // no second trial of a p99 miss: the curve is the answer, and a step the machine disturbed
        // is run again by the lab's verdict (--retries)
        return new Plan(startRate, factor, maxP99.toNanos() / 1000, 0.95, false, 0.05, maxSteps, false);
    }

    private String answer(Model m) {
        return m.highestRateUnderBound() == null ? "p99 above " + Durations.format(maxP99) + " from the first step"
                : String.format("%,.0f msgs/s with p99 <= %s", m.highestRateUnderBound(), Durations.format(maxP99));
    }

    private List<String> headers() {
        return List.of("server", "highest rate with p99 <= " + Durations.format(maxP99), "steps", "stopped");
    }

    private List<String> cells(Model m) {
        return List.of(m.id() + (m.reference() ? " (reference)" : ""),
                m.highestRateUnderBound() == null ? "-" : String.format("%,.0f", m.highestRateUnderBound()),
                String.valueOf(m.steps().size()), m.stop());
    }

    private static String ms(Long us) {
        return us == null ? "-" : fmt(us / 1e3, 2);
    }

    private Map<String, Object> settings(Iterable<String> servers) {
        Map<String, Object> s = new LinkedHashMap<>();
        List<String> list = new ArrayList<>();
        servers.forEach(list::add);
        s.put("servers", list);
        s.put("connections", connections);
        s.put("work", work);
        s.put("max_p99_us", maxP99.toNanos() / 1000);
        s.put("start_rate", startRate);
        s.put("factor", factor);
        s.put("max_steps", maxSteps);
        s.put("duration_s", duration.toMillis() / 1e3);
        s.put("warmup_s", warmup.toMillis() / 1e3);
        s.put("retries", retries.retries());
        return s;
    }

    private void write(Path dir, Environment env, List<Model> models, List<CaseResult> cases) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("environment", env);
        json.put("verdict", Verdict.overall(cases));
        json.put("models", models);
        json.put("cases", cases);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("results.json").toFile(), json);
        StringBuilder md = new StringBuilder("# echolab: latency against offered load\n\n");
        md.append(env.date).append(", commit ").append(env.gitCommit).append(", ").append(env.cpus).append(" CPUs; ")
                .append(env.pinning).append(". Verdict: ").append(Verdict.overall(cases)).append(".\n\n")
                .append(MarkdownReport.table(headers(), models.stream().map(this::cells).toList())).append('\n');
        Charts charts = chart(models, maxP99, connections, work);
        charts.writePngs(dir);
        md.append("![latency against offered load](sweep.png)\n\n");
        for (Model m : models) {
            md.append("## ").append(m.id()).append("\n\n").append(MarkdownReport.table(STEP_HEADERS,
                    m.steps().stream().map(SweepCommand::cells).toList())).append('\n');
        }
        Files.writeString(dir.resolve("report.md"), md);
        List<Tables.Table> tables = new ArrayList<>(List.of(new Tables.Table("Highest rate under the bound", null, headers(),
                models.stream().map(this::cells).toList())));
        for (Model m : models) {
            tables.add(new Tables.Table(m.id(), null, STEP_HEADERS, m.steps().stream().map(SweepCommand::cells).toList()));
        }
        Files.writeString(dir.resolve("report.html"), HtmlReport.page("echolab: latency against offered load", null,
                Verdict.overall(cases), env, charts, tables));
    }

    private static final List<String> STEP_HEADERS = List.of("offered msgs/s", "achieved msgs/s", "p50 ms", "p99 ms", "errors", "verdict", "status");

    private static List<String> cells(StepResult s) {
        return List.of(String.format("%,.0f", s.offered()), fmt(s.achieved(), 0), ms(s.p50Us()), ms(s.p99Us()),
                String.valueOf(s.errors()), String.valueOf(s.verdict()), s.status());
    }

    /** The sweep's chart: every model's p50 and p99 against the offered rate, and the bound. */
    public static Charts chart(List<Model> models, Duration bound, int connections, String work) {
        List<Charts.Curve> curves = models.stream().map(m -> new Charts.Curve(m.id() + (m.reference() ? " (peer)" : ""), m.reference(),
                m.steps().stream().map(StepResult::offered).toList(),
                m.steps().stream().map(s -> s.p50Us() == null ? null : s.p50Us() / 1e3).toList(),
                m.steps().stream().map(s -> s.p99Us() == null ? null : s.p99Us() / 1e3).toList())).toList();
        return Charts.curves("sweep", "Latency against offered load (ms), " + connections + " connections, work " + work, String.format(
                "Each server loaded open loop at rising rates until its corrected p99 passed %s: p99 solid, p50 dashed, the bound grey. "
                        + "Where a curve turns up is the model's knee; past it the server falls behind the schedule and latency is queueing.",
                Durations.format(bound)), curves, bound.toNanos() / 1e6);
    }
}
