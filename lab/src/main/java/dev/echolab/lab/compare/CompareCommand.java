package dev.echolab.lab.compare;

import dev.echolab.common.Children;
import dev.echolab.common.Cli;
import dev.echolab.common.Signals;
import dev.echolab.lab.peer.Peer;
import dev.echolab.lab.peer.Toolchain;
import dev.echolab.lab.report.Charts;
import dev.echolab.lab.report.Environment;
import dev.echolab.lab.report.HtmlReport;
import dev.echolab.lab.report.MarkdownReport;
import dev.echolab.lab.run.CaseResult;
import dev.echolab.lab.run.CaseRunner;
import dev.echolab.lab.run.KernelBillOption;
import dev.echolab.lab.run.ResultsFile;
import dev.echolab.lab.run.RetriesOption;
import dev.echolab.lab.run.Summary;
import dev.echolab.lab.run.Targets;
import dev.echolab.lab.run.Verdict;
import dev.echolab.loadgen.DriverKind;
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
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code bin/lab compare}: every backend x every scenario, each server in its own JVM pinned to
 * one CPU and the load generator on the others, sampled from /proc; then results.json, report.md
 * and report.html with charts. A case that fails is a result, and the run goes on.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run every backend under the same load, one server process at a time.",
                "Writes results.json, report.md and report.html (with charts) to --out; the peers and your own "
                        + "servers (--server-command) run beside the backends. A case that failed is in the report."})
public final class CompareCommand implements Callable<Integer> {

    @Option(names = "--backends", paramLabel = "all|ID,...", description = "Backends to compare (default: ${DEFAULT-VALUE}).")
    String backends = "all";

    @Option(names = "--connections", split = ",", paramLabel = "N", defaultValue = "50,500,5000",
            description = "Connection counts, one load case each (default: ${DEFAULT-VALUE}).")
    List<Integer> connections;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "10s",
            description = "Measured time per case (and idle window) (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "3s",
            description = "Warm-up before measuring (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--work", split = ",", paramLabel = "W", defaultValue = "none,io:2ms,cpu:50us",
            description = "Per-message work scenarios passed to bin/server --work: none, io:D or cpu:D (default: ${DEFAULT-VALUE}).")
    List<String> work;

    @Option(names = "--driver", paramLabel = "DRIVER", completionCandidates = DriverKind.Ids.class,
            description = "Load generator driver: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    DriverKind driver = DriverKind.NIO;

    @Option(names = "--repeat", paramLabel = "N", description = "Repetitions of the whole matrix (default: ${DEFAULT-VALUE}).")
    int repeat = 2;

    @Option(names = "--idle", paramLabel = "N",
            description = "Idle connections for the idle scenario, 0 to skip it (default: ${DEFAULT-VALUE}).")
    int idle = 5000;

    @Option(names = "--peers", paramLabel = "all|none|ID,...", completionCandidates = Peer.Ids.class,
            description = "Peers to run beside the backends, as references: echo servers in C, Go and Python from "
                    + "peers/ (${COMPLETION-CANDIDATES}); one whose toolchain is missing is skipped with one line saying "
                    + "what to install (default: ${DEFAULT-VALUE}, the ceiling of one core).")
    String peers = "c-epoll";

    @Option(names = "--reference", negatable = true,
            description = "Add (--reference) or leave out (--no-reference) the c-epoll peer, whatever --peers says "
                    + "(default: --peers decides).")
    Boolean reference;

    @CommandLine.Mixin
    RetriesOption retries = new RetriesOption(2);

    @CommandLine.Mixin
    KernelBillOption kernelBill = new KernelBillOption();

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write the results (default: target/lab/<date-time>).")
    Path out;

    @Option(names = "--server-command", paramLabel = "NAME=CMD",
            description = {"Your own server beside the backends and peers, named NAME in the report (repeatable). "
                    + "CMD is split at spaces (no shell; a script for more); the lab appends --port 0, --work W "
                    + "for a work other than none, and waits for the ready line 'listening on HOST:PORT backend=NAME' "
                    + "on its output; it must exit 0 on SIGTERM."})
    List<String> userServers = List.of();

    /** The command that starts the backends in place of bin/server: a test's broken server. */
    @Option(names = "--backend-command", paramLabel = "CMD", hidden = true)
    String serverCommand;

    @Option(names = "--ready-timeout", paramLabel = "DURATION", defaultValue = "60s", hidden = true)
    Duration readyTimeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The signal that stopped the comparison, or null while none has. */
    private final AtomicReference<String> stoppedBy = new AtomicReference<>();
    private final PrintStream stdout;
    private final PrintStream stderr;
    private final Path home;
    /** Where the peers' compilers and Python are found; a test takes tools away through it. */
    Toolchain toolchain = Toolchain.system();

    public CompareCommand() {
        this(System.out, System.err, Path.of(System.getProperty("echolab.home", ".")).toAbsolutePath().normalize());
    }

    CompareCommand(PrintStream stdout, PrintStream stderr, Path home) {
        this.stdout = stdout;
        this.stderr = stderr;
        this.home = home;
    }

    @Override
    public Integer call() throws IOException {
        List<String> ids = backendIds();
        List<Peer> peerList = peerList();
        validate();
        Map<String, List<String>> mine = userServers(ids, peerList);
        stopOnSignal();
        Path dir = (out != null ? out : home.resolve("target/lab").resolve(
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))).toAbsolutePath();
        Path logs = dir.resolve("logs");
        Files.createDirectories(logs);

        Pinning pinning = Pinning.detect();
        Map<String, List<String>> peerCommands = new LinkedHashMap<>(Peer.commands(peerList, home, dir, toolchain, stderr));
        peerCommands.putAll(mine);
        CaseRunner runner = new CaseRunner(new CaseRunner.Setup(
                serverCommand == null ? List.of(home.resolve("bin/server").toString()) : List.of(serverCommand.split(" ")),
                List.of(home.resolve("bin/loadgen").toString()), peerCommands,
                pinning.server(), pinning.loadgen(), driver.id(), duration, warmup, readyTimeout, logs));
        kernelBill.applyTo(runner, stderr);

        List<CaseResult> cases = matrix(ids, peerCommands.keySet());
        Environment env = Environment.read(home, pinning.description(), driver.id(),
                System.getProperty("echolab.jvm.flags", "(not started through bin/lab)"), settings(ids, peerCommands.keySet()));
        env.command = Environment.command(spec);
        String references = String.join(", ", peerCommands.keySet());
        stdout.println("comparing " + (ids.isEmpty() ? references : String.join(", ", ids)
                + (peerCommands.isEmpty() ? "" : " (+ references: " + references + ")"))
                + ": " + cases.size() + " cases; " + pinning.description() + "; results in " + dir);

        Progress progress = new Progress(stdout, cases.size(), (warmup.plus(duration).toMillis() / 1e3) + 4);
        List<CaseResult> done = new ArrayList<>();
        for (CaseResult c : cases) {
            if (stoppedBy.get() != null) {
                break;
            }
            progress.starting(c);
            CaseResult result = Verdict.untilUndisturbed(c, runner::run, retries.retries(), () -> stoppedBy.get() != null,
                    d -> stdout.println("  disturbed " + d.label() + ": " + d.verdictReason + "; running it again"));
            if (stoppedBy.get() != null) {
                break; // cut short by the signal: not a result
            }
            progress.finished(result);
            done.add(result);
        }
        Thread.interrupted(); // the signal's interrupt has done its work; writing the files must not see it
        String signal = stoppedBy.get();
        String incomplete = signal == null ? null
                : "Incomplete: stopped by " + signal + " after " + done.size() + " of " + cases.size() + " cases; these are the finished ones.";
        write(dir, env, done, incomplete);
        if (signal != null) {
            stderr.println("stopped by " + signal + " after " + done.size() + " of " + cases.size() + " cases; "
                    + "what was measured is in " + dir.resolve("results.json") + " (marked incomplete) and " + dir.resolve("report.html"));
            return Signals.exitStatus(signal);
        }
        // done holds each case's last attempt (a rerun replaces a disturbed one); cases its first
        long failed = done.stream().filter(c -> c.status == CaseResult.Status.failed).count();
        stdout.println((failed == 0 ? "all " + done.size() + " cases ran" : failed + " of " + done.size()
                + " cases failed (see the report)") + "; verdict: " + Verdict.overall(done) + "; report: " + dir.resolve("report.html"));
        return 0;
    }

    /**
     * SIGTERM, SIGINT or SIGHUP: stop the case that is running (its server and load generator get
     * SIGTERM through {@link Children}), start no other, and write what the finished cases measured.
     */
    private void stopOnSignal() {
        Thread main = Thread.currentThread();
        Signals.onStop(signal -> {
            if (stoppedBy.compareAndSet(null, signal)) {
                stderr.println("stopping (" + signal + "): writing the cases finished so far");
                main.interrupt();
                Children.stopAll(Duration.ofSeconds(5));
            }
        });
    }

    private List<String> backendIds() {
        return Targets.backends(backends, spec.commandLine());
    }

    /** {@code --peers}, with {@code --reference} or {@code --no-reference} adding or removing c-epoll. */
    private List<Peer> peerList() {
        List<Peer> list = Targets.peers(peers, spec.commandLine());
        if (Boolean.TRUE.equals(reference) && !list.contains(Peer.C_EPOLL)) {
            list.addFirst(Peer.C_EPOLL);
        } else if (Boolean.FALSE.equals(reference)) {
            list.remove(Peer.C_EPOLL);
        }
        return list;
    }

    /** Values picocli cannot check by type: usage errors in the same form as its own (exit 2). */
    private void validate() {
        CommandLine cl = spec.commandLine();
        for (int c : connections) {
            if (c < 1) {
                throw Cli.invalid(cl, "--connections", "a number of connections (1 or more)");
            }
        }
        if (duration.isZero()) {
            throw Cli.invalid(cl, "--duration", "a duration above zero");
        }
        if (repeat < 1) {
            throw Cli.invalid(cl, "--repeat", "a number of repetitions (1 or more)");
        }
        retries.check(cl);
        if (idle < 0) {
            throw Cli.invalid(cl, "--idle", "a number of connections (0 or more; 0 skips the idle case)");
        }
        if (readyTimeout.toMillis() < 1) {
            throw Cli.invalid(cl, "--ready-timeout", "a duration of 1ms or more");
        }
        if (serverCommand != null && serverCommand.isBlank()) {
            throw Cli.invalid(cl, "--backend-command", "a command that starts a server");
        }
        for (String w : work) {
            try {
                Work.parse(w);
            } catch (IllegalArgumentException e) {
                throw Cli.invalidValue(cl, "--work", e.getMessage());
            }
        }
    }

    /**
     * {@code --server-command NAME=CMD}: name -> command, in the order given. A name is a word
     * (letters, digits, {@code . _ -}) that no backend, peer or other such server already has.
     */
    private Map<String, List<String>> userServers(List<String> ids, List<Peer> peerList) {
        CommandLine cl = spec.commandLine();
        Map<String, List<String>> commands = new LinkedHashMap<>();
        for (String given : userServers) {
            int eq = given.indexOf('=');
            String name = eq < 0 ? "" : given.substring(0, eq).strip();
            List<String> command = eq < 0 ? List.of() : List.of(given.substring(eq + 1).strip().split("\\s+"));
            if (!name.matches("[A-Za-z0-9._-]+") || command.getFirst().isEmpty()) {
                throw Cli.invalidValue(cl, "--server-command", "'" + given + "' is not NAME=CMD (a name of letters, digits, . _ -, then the command)");
            }
            if (commands.containsKey(name) || ids.contains(name) || peerList.stream().anyMatch(p -> p.id().equals(name))) {
                throw Cli.invalidValue(cl, "--server-command", "'" + given + "' is not a free name: '" + name + "' is taken (by a backend, a peer or another --server-command)");
            }
            commands.put(name, command);
        }
        return commands;
    }

    /** Repetition-major, so that a noisy minute spreads over all backends instead of hitting one; peers last, as references. */
    private List<CaseResult> matrix(List<String> ids, Collection<String> peerIds) {
        Map<String, Boolean> targets = new LinkedHashMap<>(); // id -> is a reference
        ids.forEach(id -> targets.put(id, false));
        peerIds.forEach(id -> targets.put(id, true));
        List<CaseResult> cases = new ArrayList<>();
        for (int rep = 1; rep <= repeat; rep++) {
            for (var target : targets.entrySet()) {
                for (String w : work) {
                    for (int conns : connections) {
                        cases.add(CaseResult.of(target.getKey(), target.getValue(), "load", conns, w, rep));
                    }
                }
            }
        }
        if (idle > 0) {
            for (var target : targets.entrySet()) {
                cases.add(CaseResult.of(target.getKey(), target.getValue(), "idle", idle, "none", 1));
            }
        }
        return cases;
    }

    private Map<String, Object> settings(List<String> ids, Collection<String> peerIds) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("backends", ids);
        s.put("peers", List.copyOf(peerIds));
        s.put("connections", connections);
        s.put("duration_s", duration.toMillis() / 1e3);
        s.put("warmup_s", warmup.toMillis() / 1e3);
        s.put("work", work);
        s.put("driver", driver.id());
        s.put("repeat", repeat);
        s.put("idle_connections", idle);
        s.put("retries", retries.retries());
        s.put("kernel_bill", kernelBill.on());
        return s;
    }

    /** results.json, report.md and report.html; {@code incomplete} (null when every case ran) heads each of them. */
    private void write(Path dir, Environment env, List<CaseResult> cases, String incomplete) throws IOException {
        ResultsFile results = ResultsFile.of(stoppedBy.get(), env, cases);
        results.write(dir.resolve("results.json"));
        List<Summary> summary = results.summary();
        Charts charts = Charts.of(summary, cases);
        charts.writePngs(dir.resolve("charts"));
        Files.writeString(dir.resolve("report.md"), MarkdownReport.render(env, summary, cases, charts, incomplete));
        Files.writeString(dir.resolve("report.html"), HtmlReport.render(env, summary, cases, charts, incomplete));
    }
}
