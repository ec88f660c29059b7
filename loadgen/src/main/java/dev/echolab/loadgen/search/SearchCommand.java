package dev.echolab.loadgen.search;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.echolab.common.Cli;
import dev.echolab.common.Durations;
import dev.echolab.common.Quantities;
import dev.echolab.loadgen.DriverKind;
import dev.echolab.loadgen.ErrorKind;
import dev.echolab.loadgen.LoadgenCommand;
import dev.echolab.loadgen.Results;
import dev.echolab.loadgen.Settings;
import dev.echolab.loadgen.Targets;
import dev.echolab.loadgen.output.JsonReport;
import dev.echolab.loadgen.output.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;

/**
 * {@code bin/loadgen search --max-p99 D}: the highest open-loop rate the server takes with its p99
 * under D and no errors. Steps of rising rate ({@link RateSearch}: geometric, then bisection), each
 * a whole run in this process (its own connections, warm-up and measurement), so the JIT warmed by
 * one step serves the next. Bounded: at most {@code --max-steps} steps, fewer when
 * {@code --max-time} does not fit them, none above {@code --max-rate}.
 */
@Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Find the highest rate the server takes with the p99 latency under --max-p99 and at most "
                + "--max-errors errors: open-loop steps of rising rate, then bisection. Prints every step (offered -> "
                + "achieved, p50, p99, errors) and the answer; exit 3 when not even the first rate (--start) met the bound.")
public final class SearchCommand implements Callable<Integer> {

    @Option(names = "--host", paramLabel = "HOST", description = "Server address (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "PORT", description = "Server port (default: ${DEFAULT-VALUE}).")
    int port = 8080;

    @Option(names = "--max-p99", paramLabel = "DURATION", required = true,
            description = "The bound: a step meets it when its corrected p99 is at most this, e.g. 10ms.")
    Duration maxP99;

    @Option(names = "--max-errors", paramLabel = "N", converter = Quantities.LongCount.class,
            description = "Errors a step may have and still meet the bound (default: ${DEFAULT-VALUE}).")
    long maxErrors = 0;

    @Option(names = "--start", paramLabel = "MSGS_PER_S", converter = Quantities.Rate.class,
            description = "The first step's rate, e.g. 1k (default: ${DEFAULT-VALUE}).")
    double start = 1000;

    @Option(names = "--max-rate", paramLabel = "MSGS_PER_S", converter = Quantities.Rate.class,
            description = "No step above this rate (default: ${DEFAULT-VALUE}).")
    double maxRate = 10_000_000;

    @Option(names = "--factor", paramLabel = "X", description = "Each rising step's rate over the last one's (default: ${DEFAULT-VALUE}).")
    double factor = 1.5;

    @Option(names = "--precision", paramLabel = "SHARE",
            description = "Bisect until the first rate that missed is within this share above the last that met (default: ${DEFAULT-VALUE}).")
    double precision = 0.05;

    @Option(names = "--step-duration", paramLabel = "DURATION", defaultValue = "3s",
            description = "Measured time of each step (default: ${DEFAULT-VALUE}).")
    Duration stepDuration;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "1s",
            description = "Warm-up of each step, not counted (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--max-steps", paramLabel = "N", description = "Steps at most (default: ${DEFAULT-VALUE}).")
    int maxSteps = 12;

    @Option(names = "--max-time", paramLabel = "DURATION", defaultValue = "2m",
            description = "The whole search's time at most: fewer steps when they do not fit (default: ${DEFAULT-VALUE}).")
    Duration maxTime;

    @Option(names = "--connections", paramLabel = "N", converter = Quantities.Count.class,
            description = "Connections sharing each step's rate (default: ${DEFAULT-VALUE}).")
    int connections = 16;

    @Option(names = "--driver", paramLabel = "DRIVER", description = "Client threading: platform, virtual, nio (default: ${DEFAULT-VALUE}).")
    DriverKind driver = DriverKind.NIO;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "2s",
            description = "A reply slower than this is an error (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the curve and the answer as JSON to FILE.")
    Path json;

    @ParentCommand
    LoadgenCommand parent;

    @Spec
    CommandSpec spec;

    /** A step as printed and written: its real error count, whether it met the bound and if not why. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record StepResult(double offered, double achieved, long p50Us, long p99Us, long errors, boolean ok, String miss) {
    }

    /**
     * The {@code --json} document.
     *
     * @param capacity the highest offered rate that met the bound, or null when none did
     * @param bracket  the lowest that missed it, or null when none did
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SearchReport(String host, int port, long maxP99Us, long maxErrors, int connections, String driver,
                               double stepDurationS, double warmupS, List<StepResult> curve, Double capacity,
                               Double bracket, String stop, int exitStatus) {
    }

    @Override
    public Integer call() throws Exception {
        validate();
        Settings base = Settings.builder().host(host).port(port).connections(connections).driver(driver)
                .duration(stepDuration).warmup(warmup).timeout(timeout).build();
        String unusable = LoadgenCommand.unusable(base.toBuilder().json(json).build());
        if (unusable != null) {
            parent.err.println(unusable);
            return 1;
        }
        // Each step lasts its warm-up and measurement, plus at most one reply timeout at its end.
        long stepNanos = warmup.toNanos() + stepDuration.toNanos() + timeout.toNanos();
        int steps = (int) Math.max(1, Math.min(maxSteps, maxTime.toNanos() / stepNanos));
        RateSearch.Plan plan = new RateSearch.Plan(start, factor, micros(maxP99), 0.95, true, precision, steps, true);
        PrintStream out = parent.out;
        out.printf(Locale.ROOT, "search %s:%d: highest rate with p99 <= %s and at most %d errors; %d connections, driver %s; "
                        + "steps of %s after %s warm-up from %s msgs/s, x%s, bisection to %s%%, at most %d steps%s%n", host, port,
                Durations.format(maxP99), maxErrors, connections, driver, Durations.format(stepDuration),
                Durations.format(warmup), Report.decimal(start), Report.decimal(factor), Report.decimal(precision * 100), steps,
                maxRate < Double.MAX_VALUE ? ", none above " + Report.decimal(maxRate) + " msgs/s" : "");
        out.printf("%12s %12s %10s %10s %8s  %s%n", "offered", "achieved", "p50 us", "p99 us", "errors", "verdict");
        List<StepResult> curve = new ArrayList<>();
        List<RateSearch.Step> trials = new ArrayList<>();
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        String[] failure = new String[1];
        RateSearch.Outcome outcome;
        try {
            outcome = RateSearch.run(plan, rate -> {
                if (rate > maxRate * (1 + 1e-9)) {
                    throw new AboveMaxRate();
                }
                Results r = new LoadgenCommand(quiet, quiet).measure(base.toBuilder().rate(rate).build());
                if (r.connectionsUp() == 0) {
                    for (ErrorKind k : ErrorKind.values()) {
                        failure[0] = failure[0] == null ? r.errorLine(k) : failure[0];
                    }
                    throw new CannotRun();
                }
                long errors = r.allErrors();
                Results.Percentiles c = r.corrected();
                RateSearch.Step step = new RateSearch.Step(rate, r.msgsPerSecond(), c.p50(), c.p99(), errors > maxErrors ? errors : 0);
                String miss = RateSearch.miss(plan, step);
                trials.add(step);
                StepResult s = new StepResult(Math.round(rate * 100) / 100.0, Math.round(r.msgsPerSecond() * 100) / 100.0,
                        c.p50(), c.p99(), errors, miss.isEmpty(), miss.isEmpty() ? null : miss);
                curve.add(s);
                out.printf(Locale.ROOT, "%12.0f %12.1f %10d %10d %8d  %s%n", rate, s.achieved(), s.p50Us(), s.p99Us(), errors,
                        miss.isEmpty() ? "ok" : "missed: " + miss
                                + (RateSearch.confirms(plan, trials) ? " (on its p99 alone: once more)" : ""));
                return step;
            });
        } catch (CannotRun e) {
            parent.err.println(failure[0] == null ? "no connection came up" : failure[0]);
            return 1;
        } catch (AboveMaxRate e) {
            double top = curve.stream().filter(StepResult::ok).mapToDouble(StepResult::offered).max().orElse(0);
            outcome = new RateSearch.Outcome(List.of(), top > 0 ? OptionalDouble.of(top) : OptionalDouble.empty(),
                    OptionalDouble.empty(), "the next step would be above --max-rate " + Report.decimal(maxRate) + " msgs/s");
        }
        Double capacity = outcome.capacity().isPresent() ? outcome.capacity().getAsDouble() : null;
        Double bracket = outcome.bracket().isPresent() ? outcome.bracket().getAsDouble() : null;
        int exit = capacity == null ? Targets.MISSED : 0;
        if (capacity == null) {
            out.printf(Locale.ROOT, "Capacity: none found: the first step (%s msgs/s) missed the bound; try a lower --start (%s)%n",
                    Report.decimal(start), outcome.stop());
        } else {
            out.printf(Locale.ROOT, "Capacity: %.0f msgs/s with p99 <= %s and at most %d errors%s (%s)%n", capacity,
                    Durations.format(maxP99), maxErrors, bracket == null ? "; at least that" : String.format(Locale.ROOT,
                            "; %.0f msgs/s missed", bracket), outcome.stop());
        }
        if (json != null) {
            SearchReport report = new SearchReport(host, port, micros(maxP99), maxErrors, connections, driver.id(),
                    stepDuration.toNanos() / 1e9, warmup.toNanos() / 1e9, curve,
                    capacity == null ? null : Math.round(capacity * 100) / 100.0,
                    bracket == null ? null : Math.round(bracket * 100) / 100.0, outcome.stop(), exit);
            Files.writeString(json, JsonReport.line(report) + "\n");
        }
        return exit;
    }

    /** Thrown by a step above {@code --max-rate}: the search ends with the steps so far. */
    private static final class AboveMaxRate extends Exception {
    }

    /** Thrown by a step in which no connection came up. */
    private static final class CannotRun extends Exception {
    }

    private void validate() {
        check(maxP99.toNanos() >= 1000, "--max-p99", "a latency bound of 1us or more, e.g. 10ms");
        check(maxErrors >= 0, "--max-errors", "a number of errors (0 or more)");
        check(start > 0, "--start", "a rate above 0 messages per second");
        check(maxRate >= start, "--max-rate", "a rate at least --start");
        check(factor > 1 && factor <= 100, "--factor", "a factor above 1 (and at most 100)");
        check(precision > 0 && precision < 1, "--precision", "a share between 0 and 1, e.g. 0.05");
        check(stepDuration.toMillis() >= 100, "--step-duration", "a duration of 100ms or more");
        check(maxSteps >= 1 && maxSteps <= 100, "--max-steps", "a number of steps from 1 to 100");
        check(maxTime.compareTo(stepDuration) >= 0, "--max-time", "a duration at least one step (--step-duration)");
        check(connections >= 1 && connections <= 100_000, "--connections", "a number of connections from 1 to 100000");
        check(timeout.toMillis() >= 1, "--timeout", "a duration of 1ms or more");
        check(port >= 1 && port <= 65_535, "--port", "a port from 1 to 65535");
    }

    private void check(boolean ok, String option, String expected) {
        if (!ok) {
            throw Cli.invalid(spec.commandLine(), option, expected);
        }
    }

    private static long micros(Duration d) {
        return (d.toNanos() + 999) / 1000;
    }
}
