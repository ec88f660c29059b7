package dev.echolab.lab.probe;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.echolab.common.Cli;
import dev.echolab.common.Descriptors;
import dev.echolab.common.Durations;
import dev.echolab.lab.render.LoadgenComparison;
import dev.echolab.lab.render.RefComparison;
import dev.echolab.lab.sample.KernelBill;
import dev.echolab.lab.sample.Reading;
import dev.echolab.lab.sample.SyscallCost;
import dev.echolab.server.ReadyLine;
import dev.echolab.server.StatsLine;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code bin/lab probe}: what the Java side already knows, for scripts (bench/): when a server is
 * ready and on which port ({@link ReadyLine}), its latest stats line ({@link StatsLine}), how many
 * processes N connections need
 * ({@link Descriptors#processesFor}), a duration in seconds or milliseconds ({@code Durations}),
 * a server's /proc readings over time ({@link Reading}), what one system call costs here
 * ({@link SyscallCost}), a server's system calls over a window ({@link KernelBill}) and the tables of
 * bench/compare-ref.sh's and bench/loadgen-vs-ref.sh's records ({@link RefComparison},
 * {@link LoadgenComparison}). One fact per call, on stdout; bad
 * usage is one line and exit 2, a failure (the server ended, no ready line in time) one line and
 * exit 1.
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = "Facts for scripts (bench/): a server's ready port, processes for N connections, durations, /proc samples.",
        subcommands = {ProbeCommand.Ready.class, ProbeCommand.Stats.class, ProbeCommand.Processes.class,
                ProbeCommand.InUnit.class, ProbeCommand.Sample.class, ProbeCommand.SyscallCostProbe.class,
                ProbeCommand.KernelBillProbe.class, ProbeCommand.RefTable.class, ProbeCommand.LoadgenTable.class})
public final class ProbeCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say which: bin/lab probe ready|stats|processes|duration|sample|syscall-cost|kernel-bill|ref-table|loadgen-table");
    }

    /** How often {@code ready} looks again. */
    private static final Duration POLL = Duration.ofMillis(100);

    @Command(name = "ready", mixinStandardHelpOptions = true,
            description = {"Wait until a server is ready; print its port.",
                    "Ready: the first ready line (listening on HOST:PORT backend=...) in --log, or, for a server that",
                    "prints none, --port accepting a connection on 127.0.0.1. Exit 1 if PID ends first or --timeout passes."})
    static final class Ready implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--pid", required = true, paramLabel = "PID", description = "The server's process.")
        long pid;

        @ArgGroup(multiplicity = "1")
        Where where;

        static final class Where {
            @Option(names = "--log", paramLabel = "FILE", description = "The server's output, where its ready line appears.")
            Path log;

            @Option(names = "--port", paramLabel = "PORT", description = "The port it listens on when it prints no ready line.")
            Integer port;
        }

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
                description = "How long to wait (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() throws InterruptedException {
            if (where.port != null && (where.port < 1 || where.port > 65535)) {
                throw Cli.invalid(spec.commandLine(), "--port", "a port from 1 to 65535");
            }
            if (timeout.isZero() || timeout.isNegative()) {
                throw Cli.invalid(spec.commandLine(), "--timeout", "a duration above 0");
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Optional<Integer> port = where.log != null ? readyPort(where.log) : accepting(where.port);
                if (port.isPresent()) {
                    spec.commandLine().getOut().println(port.get());
                    return Cli.OK;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == Boolean.FALSE) {
                    throw new Cli.Failure("the server (pid " + pid + ") ended before it was ready" + seeLog());
                }
                if (System.nanoTime() > deadline) {
                    throw new Cli.Failure("the server (pid " + pid + ") was not ready within " + Durations.format(timeout) + seeLog());
                }
                Thread.sleep(POLL);
            }
        }

        private String seeLog() {
            return where.log == null ? "" : "; see " + where.log;
        }

        /** The port of the first ready line in {@code log}, if it has one yet. */
        static Optional<Integer> readyPort(Path log) {
            try {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    Optional<ReadyLine> ready = ReadyLine.parse(line);
                    if (ready.isPresent()) {
                        return Optional.of(ready.get().port());
                    }
                }
            } catch (NoSuchFileException notYet) {
                return Optional.empty();
            } catch (IOException e) {
                throw new Cli.Failure("cannot read " + log + ": " + e.getMessage());
            }
            return Optional.empty();
        }

        private static Optional<Integer> accepting(int port) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), (int) POLL.toMillis());
                return Optional.of(port);
            } catch (IOException notYet) {
                return Optional.empty();
            }
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = {"Print a server's latest stats line.",
                    "The last line of --log that is a stats line (connections=N accepted=N waiting=N bytes=N ...), as",
                    "the server printed it; nothing if it has printed none yet."})
    static final class Stats implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--log", required = true, paramLabel = "FILE", description = "The server's output.")
        Path log;

        @Override
        public Integer call() throws IOException {
            if (!Files.isReadable(log)) {
                throw new Cli.Failure("cannot read " + log);
            }
            Optional<StatsLine> last = Optional.empty();
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                Optional<StatsLine> stats = StatsLine.parse(line);
                if (stats.isPresent()) {
                    last = stats;
                }
            }
            last.ifPresent(spec.commandLine().getOut()::println);
            return Cli.OK;
        }
    }

    @Command(name = "processes", mixinStandardHelpOptions = true,
            description = {"Print how many processes N connections need.",
                    "Each holds as many connections as a JVM's open-file limit allows, less what the JVM keeps for",
                    "itself: what bin/loadgen --processes and bin/server --processes need. 1 when unlimited."})
    static final class Processes implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--connections", required = true, paramLabel = "N", description = "Connections to hold.")
        long connections;

        @Override
        public Integer call() {
            if (connections < 1) {
                throw Cli.invalid(spec.commandLine(), "--connections", "a number of connections from 1");
            }
            spec.commandLine().getOut().println(Descriptors.processesFor(connections));
            return Cli.OK;
        }
    }

    /** The units {@code duration} prints in, named as on the command line. */
    enum Unit { s, ms }

    @Command(name = "duration", mixinStandardHelpOptions = true,
            description = {"Print a duration in seconds or milliseconds.",
                    "DURATION as every echolab command reads it (10s, 500ms, 1.5s, 2m); --in s prints a decimal (for",
                    "tools that take seconds, such as the C load generator of bench/), --in ms whole milliseconds (rounded down)."})
    static final class InUnit implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "DURATION", description = "The duration.")
        Duration duration;

        @Option(names = "--in", required = true, paramLabel = "UNIT", description = "s or ms.")
        Unit unit;

        @Override
        public Integer call() {
            BigDecimal nanos = BigDecimal.valueOf(duration.toNanos());
            String shown = switch (unit) {
                case s -> nanos.movePointLeft(9).stripTrailingZeros().toPlainString();
                case ms -> nanos.movePointLeft(6).setScale(0, RoundingMode.FLOOR).toPlainString();
            };
            spec.commandLine().getOut().println(shown);
            return Cli.OK;
        }
    }

    @Command(name = "sample", mixinStandardHelpOptions = true,
            description = {"Print a server's and the machine's /proc readings as JSON Lines.",
                    "The process PID and every process under it, and the machine, every --every, one JSON object a line",
                    "(docs/design.md, \"bin/lab probe\"), until PID ends, --count readings are printed, or it is stopped."})
    static final class Sample implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--pid", required = true, paramLabel = "PID", description = "The server's process.")
        long pid;

        @Option(names = "--every", paramLabel = "DURATION", defaultValue = "1s",
                description = "Time between readings (default: ${DEFAULT-VALUE}).")
        Duration every;

        @Option(names = "--count", paramLabel = "N", description = "Stop after N readings (default: until PID ends).")
        Integer count;

        @Override
        public Integer call() throws InterruptedException, IOException {
            if (every.toMillis() < 10) {
                throw Cli.invalid(spec.commandLine(), "--every", "a duration of at least 10ms");
            }
            if (count != null && count < 1) {
                throw Cli.invalid(spec.commandLine(), "--count", "a number of readings from 1");
            }
            ObjectMapper json = new ObjectMapper();
            PrintWriter out = spec.commandLine().getOut();
            long next = System.nanoTime();
            for (int n = 0; count == null || n < count; n++) {
                if (n > 0) {
                    next += every.toNanos();
                    Thread.sleep(Duration.ofNanos(Math.max(0, next - System.nanoTime())));
                }
                Optional<Reading> r = Reading.of(pid);
                if (r.isEmpty()) {
                    if (n == 0) {
                        throw new Cli.Failure("no process " + pid + " to sample");
                    }
                    return Cli.OK;
                }
                out.println(json.writeValueAsString(r.get()));
                out.flush();
            }
            return Cli.OK;
        }
    }

    @Command(name = "syscall-cost", mixinStandardHelpOptions = true,
            description = {"Print what one bare system call costs on this CPU, as JSON.",
                    "getppid() less a libc call that makes none, in a loop, median of rounds (us, min_us, max_us, method).",
                    "Run it pinned (taskset -c CPU) to measure that CPU. Exit 1 if libc cannot be called."})
    static final class SyscallCostProbe implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Optional<String> why = SyscallCost.unavailable();
            if (why.isPresent()) {
                throw new Cli.Failure(why.get());
            }
            spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(SyscallCost.measure()));
            return Cli.OK;
        }
    }

    @Command(name = "kernel-bill", mixinStandardHelpOptions = true,
            description = {"Count a server's system calls and context switches over a window, as JSON.",
                    "The lab's kernel bill (docs/lab.md): perf stat on tracepoints, attached to PID and every process",
                    "under it, counted over --for after --after: {\"seconds\": S, \"kernel_bill\": {...}}. Prints the",
                    "line 'counting' on stderr once perf counts: --after is timed from it.",
                    "Counting slows every system call of the server: take CPU figures from a run without it.",
                    "Exit 1 if perf cannot count here (the reason is printed) or PID ends first."})
    static final class KernelBillProbe implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--pid", required = true, paramLabel = "PID", description = "The server's process.")
        long pid;

        @Option(names = "--after", paramLabel = "DURATION", defaultValue = "0s",
                description = "Wait this long before the window (default: ${DEFAULT-VALUE}).")
        Duration after;

        @Option(names = "--for", required = true, paramLabel = "DURATION", description = "The window's length.")
        Duration window;

        @Override
        public Integer call() throws InterruptedException, IOException {
            if (after.isNegative()) {
                throw Cli.invalid(spec.commandLine(), "--after", "a duration of 0 or more");
            }
            if (window.toMillis() < 100) {
                throw Cli.invalid(spec.commandLine(), "--for", "a duration of at least 100ms");
            }
            Optional<String> why = KernelBill.unavailableHere();
            if (why.isPresent()) {
                throw new Cli.Failure("kernel bill unavailable: " + why.get());
            }
            if (ProcessHandle.of(pid).isEmpty()) {
                throw new Cli.Failure("no process " + pid + " to count");
            }
            try (KernelBill.Watch watch = new KernelBill.Watch(true)) {
                watch.start(pid, List.of(), null, null);
                // perf counts from here: a script may start the load now (the window is timed from this line)
                spec.commandLine().getErr().println("counting");
                spec.commandLine().getErr().flush();
                Thread.sleep(after);
                long from = System.currentTimeMillis();
                Thread.sleep(window);
                long to = System.currentTimeMillis();
                KernelBill bill = watch.bill(from, to, null);
                if (bill.unavailable != null) {
                    throw new Cli.Failure("kernel bill unavailable: " + bill.unavailable);
                }
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("seconds", (to - from) / 1e3);
                out.put("kernel_bill", bill);
                spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(out));
            }
            return Cli.OK;
        }
    }

    /** How a bench script's records become its tables. */
    private interface Tables {
        String of(Path file) throws IOException;
    }

    /** Prints the tables of {@code file}: exit 1 if it cannot be read, 2 (naming the line) if a line is not a record. */
    private static int printTables(CommandLine.Model.CommandSpec spec, Path file, Tables tables) {
        String text;
        try {
            text = tables.of(file);
        } catch (IOException e) {
            throw new Cli.Failure("cannot read " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw Cli.invalidValue(spec.commandLine(), "FILE", e.getMessage());
        }
        spec.commandLine().getOut().print(text);
        spec.commandLine().getOut().flush();
        return Cli.OK;
    }

    @Command(name = "ref-table", mixinStandardHelpOptions = true,
            description = {"Print bench/compare-ref.sh's tables from its records (results.jsonl), in Markdown.",
                    "Server CPU per message and its ratio to ref-echo within each pair, the measured cost of one system",
                    "call, each model's floor and the ratio to it, system calls per message by kind (docs/performance.md).",
                    "Exit 1 if FILE cannot be read, 2 if a line of it is not a record."})
    static final class RefTable implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The records (bench/compare-ref.sh's OUT/results.jsonl).")
        Path file;

        @Option(names = "--saturated", paramLabel = "PERCENT", defaultValue = "80",
                description = "A run counts when its server was at least this busy (default: ${DEFAULT-VALUE}).")
        double saturated;

        @Override
        public Integer call() {
            if (saturated <= 0 || saturated > 100) {
                throw Cli.invalid(spec.commandLine(), "--saturated", "a percentage above 0, at most 100");
            }
            return printTables(spec, file, f -> RefComparison.read(f, saturated).tables());
        }
    }

    @Command(name = "loadgen-table", mixinStandardHelpOptions = true,
            description = {"Print bench/loadgen-vs-ref.sh's table from its records (results.jsonl), in Markdown.",
                    "Each run's msgs/s, p50/p99/p99.9 and CPU per message, and each driver's ratios to ref-load within a pair.",
                    "Exit 1 if FILE cannot be read, 2 if a line of it is not a record."})
    static final class LoadgenTable implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The records (bench/loadgen-vs-ref.sh's OUT/results.jsonl).")
        Path file;

        @Override
        public Integer call() {
            return printTables(spec, file, f -> LoadgenComparison.read(f).tables());
        }
    }
}
