package dev.echolab.loadgen;

import dev.echolab.common.Cli;
import dev.echolab.common.Descriptors;
import dev.echolab.common.Quantities;
import dev.echolab.loadgen.driver.NioConnector;
import dev.echolab.loadgen.output.HlogFile;
import dev.echolab.loadgen.output.JsonReport;
import dev.echolab.loadgen.output.JsonStream;
import dev.echolab.loadgen.output.MergeCommand;
import dev.echolab.loadgen.output.Progress;
import dev.echolab.loadgen.output.Report;
import dev.echolab.loadgen.processes.ChildResult;
import dev.echolab.loadgen.processes.LoadgenProcesses;
import dev.echolab.loadgen.search.SearchCommand;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code bin/loadgen}: loads an echo server with verified messages and reports what it measured.
 *
 * <p>Phases: (1) open every connection (each with a connect timeout; failures counted by kind),
 * (2) barrier: the load starts on all connections at once, (3) warm-up (JIT, TCP windows, server
 * pools), (4) reset the recorders, (5) measure for {@code --duration} or until every connection
 * has sent {@code --messages}, (6) replies still in flight get a short grace, then everything is
 * closed and the report printed. The first output line is the effective settings.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = {MergeCommand.class, SearchCommand.class},
        description = "Load an echo server: every connection sends 'Thread-<i> say hello <n>\\n', reads the echo "
                + "back in full, compares it byte for byte and records the round trip in an HdrHistogram.")
public final class LoadgenCommand implements Callable<Integer> {

    @Option(names = "--host", paramLabel = "HOST", description = "Server address (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "PORT", description = "Server port (default: ${DEFAULT-VALUE}).")
    int port = 8080;

    @Option(names = "--connections", paramLabel = "N", converter = Quantities.Count.class,
            description = "Client connections, e.g. 500, 10k (default: ${DEFAULT-VALUE}).")
    int connections = 500;

    @Option(names = "--duration", paramLabel = "DURATION",
            description = "Measured time after the warm-up, e.g. 10s, 1m (default: 10s). With --messages: a safety limit (default 10m).")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "2s",
            description = "Warm-up before measuring, not counted (default: ${DEFAULT-VALUE}; none with --messages).")
    Duration warmup;

    @Option(names = "--messages", paramLabel = "N", converter = Quantities.LongCount.class,
            description = "Each connection sends exactly N messages, all measured, then stops (instead of --duration).")
    Long messages;

    @Option(names = "--size", paramLabel = "BYTES", converter = Quantities.Size.class,
            description = "Pad each message to BYTES (e.g. 512, 4KiB) with a space and letters before the newline (docs/loadgen.md, \"Messages\").")
    int size;

    @Option(names = "--pipeline", paramLabel = "K", converter = Quantities.Count.class, description = "Messages in flight per connection (default: ${DEFAULT-VALUE}).")
    int pipeline = 1;

    @Option(names = "--rate", paramLabel = "MSGS_PER_S", converter = Quantities.Rate.class,
            description = "Open loop: send this many messages per second in all (e.g. 20000, 20k, 1.5M), on a fixed schedule, and measure latency from "
                    + "the intended send time. Goes with --messages (each connection sends its N on the schedule) and --pipeline.")
    Double rate;

    @Option(names = "--ramp", paramLabel = "DURATION", defaultValue = "0s",
            description = "Open loop: raise the rate from 0 to --rate in a straight line over this first part of the warm-up, "
                    + "so a cold server is not buried under a backlog before it has compiled its code (default: ${DEFAULT-VALUE}, "
                    + "the full rate from the start). At most --warmup: the measurement runs at the full rate.")
    Duration ramp;

    @Option(names = "--driver", paramLabel = "DRIVER",
            completionCandidates = DriverKind.Ids.class,
            description = "Client threading: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    DriverKind driver = DriverKind.PLATFORM;

    @Option(names = "--selectors", paramLabel = "N",
            description = "Selector threads of the nio driver (default: ${DEFAULT-VALUE}); the other drivers ignore it.")
    int selectors = 1;

    @Option(names = "--processes", paramLabel = "N",
            description = "Spread the connections over N load-generator processes (each its own JVM with its own open-file "
                    + "limit) and report them as one run (default: ${DEFAULT-VALUE}). Never chosen for you: when "
                    + "--connections does not fit in one process's open files, the error says how many processes would.")
    int processes = 1;

    @Option(names = "--source", paramLabel = "ADDRESSES",
            description = "Local addresses to connect from, e.g. 127.0.0.1-127.0.0.8 or 127.0.0.1,127.0.0.2: connection i "
                    + "leaves from address i mod k. One address reaches one server port with at most the kernel's "
                    + "ephemeral ports (about 28,000); every 127.x.y.z is local. Needs --driver nio.")
    SourceAddresses source = SourceAddresses.KERNEL;

    @Option(names = "--connect-rate", paramLabel = "PER_S", converter = Quantities.Rate.class,
            description = "Open at most this many connections per second in all (default: as fast as handshakes complete, "
                    + NioConnector.MAX_CONNECTING + " at a time per selector thread). Needs --driver nio.")
    Double connectRate;

    @Option(names = "--reconnect-every", paramLabel = "N", converter = Quantities.LongCount.class,
            description = "Close each connection's socket and open a new one after every N verified messages (default: "
                    + "never): the server pays a connection's set-up and tear-down every N messages. The reconnect's "
                    + "connect time is not part of any message's round trip; it is counted in the connect times and in "
                    + "the connections opened per second.")
    Long reconnectEvery;

    @Option(names = "--reconnect-on-fault",
            description = "When a connection's socket fails (reset, closed by the server, no reply in time), count the failure "
                    + "and the messages it had in flight, and open a new socket: at once, then after a back-off from 10ms "
                    + "doubling to 1s. The report gives failures by kind, availability and lost messages (docs/loadgen.md).")
    boolean reconnectOnFault;

    @Option(names = "--reconnect-attempts", paramLabel = "N",
            description = "With --reconnect-on-fault: a connection gives up (an error) after N attempts in a row without "
                    + "an echo (default: 10).")
    Integer reconnectAttempts;

    /** Run as one of {@link LoadgenProcesses}' children: barrier on stdin, figures on stdout for the parent. */
    @Option(names = "--child", hidden = true)
    boolean child;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "5s",
            description = "Time limit for each connect (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s",
            description = "A reply slower than this counts as a timeout and closes its connection (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write every figure as JSON to FILE.")
    Path json;

    @Option(names = "--json-stream", paramLabel = "FILE",
            description = "Also write one JSON object a second (progress) and the report as the last one to FILE; - for stdout.")
    Path jsonStream;

    @Option(names = "--hlog", paramLabel = "FILE", description = "Also write an HdrHistogram interval log (one histogram per second) to FILE.")
    Path hlog;

    @Option(names = "--max-p99", paramLabel = "DURATION",
            description = "Target: the p99 latency of the measured interval at most this, e.g. 10ms, 800us (corrected "
                    + "latency in an open loop). Missed: exit 3.")
    Duration maxP99;

    @Option(names = "--max-p999", paramLabel = "DURATION",
            description = "Target: the p99.9 latency at most this, as --max-p99. Missed: exit 3.")
    Duration maxP999;

    @Option(names = "--min-rate", paramLabel = "MSGS_PER_S", converter = Quantities.Rate.class,
            description = "Target: at least this many verified messages per second over the measured interval, "
                    + "e.g. 50k. Missed: exit 3.")
    Double minRate;

    @Option(names = "--max-errors", paramLabel = "N", converter = Quantities.LongCount.class,
            description = "Target: at most N errors of every kind in all; errors up to N then no longer fail the run "
                    + "(a mismatch always does). Missed: exit 3.")
    Long maxErrors;

    @Option(names = "--hgrm", paramLabel = "FILE",
            description = "Also write the measured latency's percentile distribution as HdrHistogram prints it "
                    + "(outputPercentileDistribution, for its plotter), values in milliseconds; the corrected latency "
                    + "in an open loop.")
    Path hgrm;

    @Option(names = "--server-pid", paramLabel = "PID",
            description = "Also report what the server process PID cost over the measured interval, from /proc: CPU per "
                    + "message (user and system), RSS and its growth per connection, threads, context switches per "
                    + "message. The process must be running and yours.")
    Long serverPid;

    @Option(names = "--verbose", description = "Stack traces for unexpected failures.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    static final int DEFAULT_RECONNECT_ATTEMPTS = 10;

    /** The blocking drivers write K messages before reading: beyond this the socket buffers could fill both ways. */
    private static final long BLOCKING_INFLIGHT_LIMIT = 1 << 20;

    public final PrintStream out;
    public final PrintStream err;
    /** Where the text output goes: {@link #out}, or nowhere when {@code --json-stream -} has stdout. */
    private PrintStream text;
    /** {@code --json-stream}, or null. */
    private JsonStream stream;
    /** The results of the last run ({@link #measure}). */
    private Results last;

    public LoadgenCommand() {
        this(System.out, System.err);
    }

    public LoadgenCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(commandLine(new LoadgenCommand()).execute(args));
    }

    /** A command line whose usage and error messages go to the command's own streams. */
    public static CommandLine commandLine(LoadgenCommand command) {
        CommandLine cl = Cli.commandLine(command, command.out, command.err);
        cl.registerConverter(DriverKind.class, Cli.byId(DriverKind.class, "driver"));
        cl.registerConverter(SourceAddresses.class, Cli.parsing(SourceAddresses::parse));
        return cl;
    }

    @Override
    public Integer call() {
        Settings s = settings();
        if (serverPid != null) {
            Object[] why = ServerCost.check(serverPid);
            if (why != null) {
                err.println(why[0]);
                return (Integer) why[1];
            }
        }
        String unusable = unusable(s, hgrm);
        if (unusable != null) {
            err.println(unusable);
            return 1;
        }
        // With --json-stream -, stdout carries the stream alone: the text output goes nowhere.
        text = JsonStream.STDOUT.equals(s.jsonStream()) ? new PrintStream(OutputStream.nullOutputStream()) : out;
        try (JsonStream stream = JsonStream.open(s.jsonStream(), out)) {
            this.stream = stream;
            if (s.processes() > 1) {
                return new LoadgenProcesses(s, text, err, stream).run();
            }
            Run run = new Run(s);
            text.println(s.describe(run.messages));
            try (HlogFile log = HlogFile.open(s.hlog())) {
                return execute(run, s.driver().create(s), log.writer());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("interrupted");
        } catch (IOException | RuntimeException e) {
            err.println(e instanceof FileNotFoundException ? "cannot write " + e.getMessage()
                    : "loadgen failed: " + (e.getMessage() == null ? "unexpected failure (--verbose shows where)" : e.getMessage()));
            if (verbose) {
                e.printStackTrace(err);
            }
        }
        return 1;
    }

    /**
     * What would make the run fail however the server behaves, found before anything is printed or
     * connected: more connections than descriptors, a host that does not resolve, an output file
     * that cannot be written. One line, or null.
     */
    private static String unusable(Settings s, Path hgrm) {
        int[] shares = LoadgenProcesses.shares(s.connections(), s.processes());
        String tooMany = OpenFiles.check(shares[0]);
        if (tooMany != null) {
            return s.processes() == 1 ? tooMany : String.format("--processes %d leaves up to %d connections to a process, "
                    + "more than its open files allow: use --processes %d", s.processes(), shares[0],
                    Descriptors.processesFor(s.connections()));
        }
        String noPorts = s.sources().check(shares);
        if (noPorts != null) {
            return noPorts;
        }
        try {
            InetAddress.getByName(s.host());
        } catch (UnknownHostException e) {
            return "cannot resolve host '" + s.host() + "'";
        }
        for (Path file : new Path[] {s.json(), s.hlog(), s.jsonStream(), hgrm}) {
            if (file != null && !file.equals(JsonStream.STDOUT)) {
                try {
                    // Opened for appending and removed again if new: a run that fails later leaves no
                    // empty file behind to be taken for its results.
                    boolean existed = Files.exists(file);
                    Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();
                    if (!existed) {
                        Files.delete(file);
                    }
                } catch (IOException e) {
                    return "cannot write " + file + ": " + (e instanceof NoSuchFileException ? "no such directory"
                            : e instanceof AccessDeniedException ? "permission denied" : e.getMessage());
                }
            }
        }
        return null;
    }

    private int execute(Run run, Driver driver, HistogramLogWriter log) throws InterruptedException, IOException {
        Monitor monitor = null;
        ServerCost server = ServerCost.before(serverPid == null ? 0 : serverPid);
        long connectStart = System.nanoTime();
        boolean stopped = false;
        try {
            connect(run, driver);
            double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
            Histogram connectTimes = run.connectTimes.getIntervalHistogram();
            if (child) {
                LoadgenProcesses.awaitStart(run.live(), out);
            }
            if (run.live() > 0) {
                monitor = measure(run, driver, log, server);
            }
            driver.stop(System.nanoTime() + grace(run.settings));
            stopped = true;
            if (monitor != null) {
                monitor.finish();
            }
            Results results = Results.of(run, connectSeconds, connectTimes, monitor);
            last = results;
            if (hgrm != null && monitor != null) {
                HlogFile.writeHgrm(hgrm, run.settings.openLoop() ? monitor.corrected : monitor.latency);
            }
            if (child) {
                ChildResult.of(results, run, monitor, connectTimes).print(out);
            }
            return finish(results);
        } finally {
            if (!stopped) {
                driver.stop(System.nanoTime());
            }
        }
    }

    /**
     * One run of {@code s} in this process with nothing printed on stdout (its error lines go to
     * this command's err): a step of {@code bin/loadgen search}, which reads the results.
     */
    public Results measure(Settings s) throws InterruptedException, IOException {
        text = new PrintStream(OutputStream.nullOutputStream());
        execute(new Run(s), s.driver().create(s), null);
        return last;
    }

    /** What would make a run of {@code s} fail however the server behaves (one line), or null. */
    public static String unusable(Settings s) {
        return unusable(s, null);
    }

    /**
     * Opens every connection, after the JDK's first-use work that needs descriptors
     * ({@link OpenFiles#prepare}); when even that fails, none can be opened, for the same reason.
     */
    private static void connect(Run run, Driver driver) throws InterruptedException {
        IOException unprepared = OpenFiles.prepare(run.settings.driver());
        if (unprepared == null) {
            driver.connect(run);
            return;
        }
        for (int id = 0; id < run.settings.connections(); id++) {
            run.connectFailed(id, unprepared);
        }
    }

    private Monitor measure(Run run, Driver driver, HistogramLogWriter log, ServerCost server) throws InterruptedException {
        Monitor monitor = new Monitor(run, text, this::progress, log);
        monitor.server = server;
        long start = System.nanoTime();
        run.begin(start);
        driver.start();
        monitor.watch(start);
        return monitor;
    }

    /**
     * Each second's figures: to the parent as a JSON line when this is a child of
     * {@link LoadgenProcesses} (which prints the run's own line), else as the progress line; and
     * to {@code --json-stream}.
     */
    private void progress(Progress p) {
        if (child) {
            out.println(p.toJson());
        } else {
            text.println(p.text(1));
        }
        if (stream != null) {
            stream.progress(p);
        }
    }

    private int finish(Results r) throws IOException {
        return report(r, text, err, stream);
    }

    /**
     * The report on {@code out}, one line per kind of error on {@code err}, the JSON to
     * {@code --json} and as the last object of {@code --json-stream}; the exit status.
     */
    public static int report(Results r, PrintStream out, PrintStream err, JsonStream stream) throws IOException {
        if (r.connectionsUp() > 0) {
            Report.print(r, out);
        }
        for (ErrorKind k : ErrorKind.values()) {
            String line = r.errorLine(k);
            if (line != null) {
                err.println(line);
            }
        }
        if (r.connectionsUp() > 0 && r.verified() == 0 && r.errors(ErrorKind.TIMEOUT) == 0) {
            err.println("no echo was received");
        }
        JsonReport json = JsonReport.of(r);
        if (r.settings().json() != null) {
            json.write(r.settings().json());
        }
        if (stream != null) {
            stream.report(json);
        }
        return r.exitStatus();
    }

    /**
     * Replies in flight at the end get the same {@code --timeout} as any other reply before they
     * count as timeouts: a server answering in 2 s under 5,000 connections is slow, not broken, and
     * a shorter grace would report its last replies as errors. A healthy run waits only one round trip.
     */
    private static long grace(Settings s) {
        return s.timeout().toNanos();
    }

    /** The options as {@link Settings}: the reading side of {@link Settings#arguments} (package-private for tests). */
    Settings settings() {
        Settings.Builder b = Settings.builder().host(host).port(port).connections(connections).warmup(warmup)
                .size(size).pipeline(pipeline).ramp(ramp).driver(driver).selectors(selectors).processes(processes)
                .sources(source).connectTimeout(connectTimeout).timeout(timeout).json(json).jsonStream(jsonStream)
                .hlog(hlog).verbose(verbose)
                .targets(new Targets(maxP99, maxP999, minRate == null ? 0 : minRate, maxErrors == null ? -1 : maxErrors));
        if (duration != null) {
            b.duration(duration);
        }
        if (messages != null) {
            b.messages(messages);
        }
        if (rate != null) {
            b.rate(rate);
        }
        if (connectRate != null) {
            b.connectRate(connectRate);
        }
        if (reconnectEvery != null) {
            b.reconnectEvery(reconnectEvery);
        }
        if (reconnectOnFault) {
            b.reconnectAttempts(reconnectAttempts == null ? DEFAULT_RECONNECT_ATTEMPTS : reconnectAttempts);
        }
        Settings s = b.build();
        validate(s);
        return s;
    }

    /** Values picocli cannot check by type: usage errors in the one form every command uses (exit 2). */
    private void validate(Settings s) {
        check(!s.host().isBlank(), "--host", "an address or a host name, e.g. 127.0.0.1");
        check(s.port() >= 1 && s.port() <= 65_535, "--port", "a port from 1 to 65535");
        check(s.connections() >= 1 && s.connections() <= 1_000_000, "--connections", "a number of connections from 1 to 1000000");
        check(s.duration().compareTo(Duration.ofMillis(1)) >= 0, "--duration", "a duration of 1ms or more");
        check(messages == null || messages >= 1, "--messages", "a number of messages (1 or more)");
        check(s.size() >= 0 && s.size() <= 64 << 20, "--size", "a size from 0 to 67108864 bytes (64 MiB)");
        check(s.pipeline() >= 1 && s.pipeline() <= 4096, "--pipeline", "a number from 1 to 4096");
        check(rate == null || (rate > 0 && rate <= 1e9), "--rate", "a rate above 0 and at most 1e9 messages per second");
        check(s.ramp().isZero() || s.openLoop(), "--ramp", "usable without --rate (give --rate for an open loop)");
        check(s.ramp().compareTo(s.effectiveWarmup()) <= 0, "--ramp", "a duration no longer than the warm-up ("
                + Settings.text(s.effectiveWarmup()) + (messages == null ? "" : ": none with --messages")
                + "), so that the measurement runs at the full --rate");
        check(s.selectors() >= 1 && s.selectors() <= 64, "--selectors", "a number of threads from 1 to 64");
        check(s.connectTimeout().toMillis() >= 1, "--connect-timeout", "a duration of 1ms or more");
        check(s.processes() >= 1 && s.processes() <= LoadgenProcesses.MAX, "--processes",
                "a number of processes from 1 to " + LoadgenProcesses.MAX);
        check(s.processes() <= s.connections(), "--processes", "at most one process per connection (--connections)");
        check(reconnectEvery == null || reconnectEvery >= 1, "--reconnect-every", "a number of messages (1 or more)");
        check(reconnectAttempts == null || (reconnectAttempts >= 1 && reconnectAttempts <= 1_000_000), "--reconnect-attempts",
                "a number of attempts from 1 to 1000000");
        check(reconnectAttempts == null || reconnectOnFault, "--reconnect-attempts", "usable without --reconnect-on-fault");
        check(connectRate == null || (connectRate > 0 && connectRate <= 1e7), "--connect-rate",
                "a rate above 0 and at most 1e7 connections per second");
        // Options that go together: the connect phase's bind and schedule are the nio driver's.
        check(s.sources().isEmpty() || s.driver() == DriverKind.NIO, "--source", "usable with this driver (use --driver nio)");
        check(connectRate == null || s.driver() == DriverKind.NIO, "--connect-rate", "usable with this driver (use --driver nio)");
        InetAddress foreign = s.sources().notLocal();
        check(foreign == null, "--source", "a list of this machine's addresses (" + (foreign == null ? "" : foreign.getHostAddress())
                + " is not one; every 127.x.y.z is)");
        check(s.timeout().toMillis() >= 1, "--timeout", "a duration of 1ms or more");
        check(maxP99 == null || maxP99.toNanos() >= 1000, "--max-p99", "a latency bound of 1us or more, e.g. 10ms");
        check(maxP999 == null || maxP999.toNanos() >= 1000, "--max-p999", "a latency bound of 1us or more, e.g. 10ms");
        check(minRate == null || minRate > 0, "--min-rate", "a rate above 0 messages per second");
        check(maxErrors == null || maxErrors >= 0, "--max-errors", "a number of errors (0 or more)");
        check(hgrm == null || s.processes() == 1, "--hgrm", "usable with one load-generator process (without --processes; "
                + "merge their --hlog files with HistogramLogProcessor instead)");
        check(serverPid == null || serverPid >= 1, "--server-pid", "a process id (1 or more)");
        check(serverPid == null || s.processes() == 1, "--server-pid", "usable with one load-generator process (without --processes)");
        long inFlight = (long) s.pipeline() * new Messages(s.size()).length(s.connections(), Long.MAX_VALUE / 2);
        // Options that go together: --pipeline with the message size, on the blocking drivers.
        check(s.driver() == DriverKind.NIO || inFlight <= BLOCKING_INFLIGHT_LIMIT, "--pipeline",
                "a depth the blocking drivers can keep in flight with these messages (at most 1 MiB in all; use --driver nio)");
    }

    private void check(boolean ok, String option, String expected) {
        if (!ok) {
            throw Cli.invalid(spec.commandLine(), option, expected);
        }
    }
}
