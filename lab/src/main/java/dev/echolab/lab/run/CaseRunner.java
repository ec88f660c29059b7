package dev.echolab.lab.run;

import dev.echolab.common.Children;
import dev.echolab.lab.sample.KernelBill;
import dev.echolab.lab.sample.Proc;
import dev.echolab.lab.sample.Sampler;
import dev.echolab.loadgen.DriverKind;
import dev.echolab.loadgen.Settings;
import dev.echolab.loadgen.output.JsonReport;
import dev.echolab.server.ReadyLine;
import dev.echolab.server.Tally;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one case of the matrix: starts the server in its own process, puts load (or idle
 * connections) on it, samples it from /proc, stops it with SIGTERM, and fills a {@link CaseResult}.
 * Whatever goes wrong becomes part of the result; nothing here ends the comparison.
 */
public final class CaseRunner {

    /** How the processes of a case are started (peers: id -> the command that starts it); built once from the command line. */
    public record Setup(List<String> serverCommand, List<String> loadgenCommand, Map<String, List<String>> peers,
                 List<String> serverPinning, List<String> loadgenPinning, String driver,
                 Duration duration, Duration warmup, Duration readyTimeout, Path logs) {
    }

    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Setup setup;
    /** Count system calls and context switches per message, and look at the server's threads ({@link KernelBill}). */
    public boolean kernelBill = true;

    public CaseRunner(Setup setup) {
        this.setup = setup;
    }

    public CaseResult run(CaseResult c) {
        long start = System.nanoTime();
        ServerProcess server;
        try {
            server = ServerProcess.start(serverCommand(c), line -> ReadyLine.parse(line).map(ReadyLine::port), setup.readyTimeout());
        } catch (ServerProcess.ServerFailedException e) {
            return failed(c, "server " + e.getMessage(), e.output);
        } catch (IOException e) {
            return failed(c, "server could not be started: " + e.getMessage(), List.of());
        }
        try (Sampler sampler = new Sampler(server.pid()); KernelBill.Watch kernel = new KernelBill.Watch(kernelBill)) {
            Proc.Sample baseline = sampler.now().orElseThrow();
            c.serverProcesses = sampler.processes();
            c.serverThreadsBaseline = baseline.threads();
            c.serverRssMbBaseline = baseline.rssBytes() / 1e6;
            long[] ctx0 = Proc.contextSwitches(server.pid());
            if (c.scenario.equals("idle")) {
                idle(c, server, sampler);
            } else {
                load(c, server, sampler, kernel);
            }
            long[] ctx1 = Proc.contextSwitches(server.pid());
            c.voluntaryCtxSwitches = ctx1[0] - ctx0[0];
            c.involuntaryCtxSwitches = ctx1[1] - ctx0[1];
            c.serverThreadsPeak = sampler.peakThreads();
            c.serverRssMbPeak = sampler.peakRssBytes() / 1e6;
            if (c.rssPerConnectionKb == null && c.connections > 0) {
                c.rssPerConnectionKb = (sampler.peakRssBytes() - baseline.rssBytes()) / 1e3 / c.connections;
                c.threadsPerConnection = (double) (sampler.peakThreads() - baseline.threads()) / c.connections;
            }
        } catch (Exception e) {
            c.status = CaseResult.Status.failed;
            c.failure = "measurement failed: " + e;
        } finally {
            boolean aliveAtEnd = server.isAlive();
            long stopping = System.nanoTime();
            c.serverExit = server.stop(STOP_GRACE);
            c.serverStopS = (System.nanoTime() - stopping) / 1e9;
            c.tallyCounted = server.lastLines().stream().flatMap(l -> Tally.Line.parse(l).stream())
                    .map(Tally.Line::counted).reduce((a, b) -> b).orElse(null);
            c.deadlock = server.lastLines().stream().flatMap(l -> Tally.Deadlock.parse(l).stream())
                    .map(Tally.Deadlock::report).findFirst().orElse(null);
            if (c.status != CaseResult.Status.failed) {
                if (!aliveAtEnd) {
                    fail(c, "server died during the run", server.lastLines());
                } else if (c.serverExit == null || c.serverExit != 0) {
                    fail(c, "server did not exit 0 on SIGTERM (status " + c.serverExit + ")", server.lastLines());
                }
            }
            c.elapsedS = (System.nanoTime() - start) / 1e9;
        }
        return c;
    }

    /** A peer takes the server's --port and --work, so both start the same way; then the case's own server options. */
    private List<String> serverCommand(CaseResult c) {
        List<String> cmd = new ArrayList<>(c.serverPrefix.isEmpty() ? setup.serverPinning() : c.serverPrefix);
        if (c.reference) {
            cmd.addAll(setup.peers().get(c.backend));
        } else {
            cmd.addAll(setup.serverCommand());
            cmd.addAll(List.of("--backend", c.backend));
        }
        cmd.addAll(List.of("--port", "0"));
        if (!c.work.equals("none")) {
            cmd.addAll(List.of("--work", c.work));
        }
        cmd.addAll(c.serverArgs);
        return cmd;
    }

    /** Closed-loop load from {@code bin/loadgen} in its own process; server CPU over its measured window. */
    private void load(CaseResult c, ServerProcess server, Sampler sampler, KernelBill.Watch kernel) throws IOException, InterruptedException {
        Path json = setup.logs().resolve(fileName(c) + ".json");
        Path log = setup.logs().resolve(fileName(c) + ".log");
        Path hlog = setup.logs().resolve(fileName(c) + ".hlog");
        Path stream = setup.logs().resolve(fileName(c) + ".jsonl");
        Files.deleteIfExists(json);
        Files.deleteIfExists(hlog);
        Files.deleteIfExists(stream);
        List<String> cmd = new ArrayList<>(setup.loadgenPinning());
        cmd.addAll(setup.loadgenCommand());
        Settings.Builder settings = Settings.builder().host("127.0.0.1").port(server.port()).connections(c.connections)
                .duration(setup.duration()).warmup(setup.warmup())
                .driver(DriverKind.valueOf(setup.driver().toUpperCase(Locale.ROOT))).json(json).hlog(hlog).jsonStream(stream);
        if (c.rate != null) {
            settings.rate(c.rate);
        }
        settings.pipeline(c.pipeline);
        cmd.addAll(settings.build().arguments());
        cmd.addAll(c.loadgenArgs);
        List<SocketChannel> idle = new ArrayList<>();
        try {
            openIdle(idle, c.idleBeside, server.port());
        } catch (IOException e) {
            closeAll(idle);
            fail(c, "opened " + idle.size() + " of " + c.idleBeside + " idle connections beside the load: " + e.getMessage(), List.of());
            return;
        }
        // the kernel bill times its look at the threads from this run's --json-stream (a rerun's was deleted above)
        kernel.start(server.pid(), setup.loadgenPinning(), stream, setup.duration().dividedBy(4));
        Process p;
        try {
            p = Children.start(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()));
            p.getOutputStream().close();
            long limit = setup.duration().plus(setup.warmup()).toSeconds() + 120;
            if (!p.waitFor(limit, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(c, "load generator did not finish within " + limit + " s", tail(log));
                return;
            }
        } finally {
            closeAll(idle);
        }
        long exitedAt = System.currentTimeMillis();
        c.loadgenExit = p.exitValue();
        if (!Files.exists(json)) {
            fail(c, "load generator wrote no results (exit " + c.loadgenExit + ")", tail(log));
            return;
        }
        JsonReport r = JsonReport.read(json);
        readLoadgen(c, r);
        Window measured = serverCpu(c, r, sampler, exitedAt);
        c.kernelBill = kernel.bill(measured.fromEpochMs(), measured.toEpochMs(), c.messages);
        c.latencySpectrum = CaseSeries.latencySpectrum(hlog);
        c.timeline = CaseSeries.timeline(stream, r.measureStartEpochMs(), r.warmupS(), sampler);
        if (c.loadgenExit != 0 && c.status == CaseResult.Status.ok) {
            c.status = CaseResult.Status.errors;
            c.failure = "load generator exit " + c.loadgenExit + ": " + lastLine(log);
        }
    }

    private static void readLoadgen(CaseResult c, JsonReport r) {
        c.msgsPerS = r.msgsPerS();
        c.mbPerS = r.mbPerS();
        c.messages = r.msgs();
        c.p50Us = r.p50Us();
        c.p75Us = r.p75Us();
        c.p90Us = r.p90Us();
        c.p99Us = r.p99Us();
        c.p999Us = r.p999Us();
        c.maxUs = r.maxUs();
        c.errors = r.errors();
        c.mismatches = r.mismatches();
        c.starvedConnections = (long) r.fairness().noReply();
        c.fairnessMinMsgs = r.fairness().minMsgs();
        c.fairnessMedianMsgs = r.fairness().medianMsgs();
        c.fairnessMaxMsgs = r.fairness().maxMsgs();
        c.verified = r.verified();
        c.loadgenCpuPct = r.cpuPct();
        c.loadgenSaturated = r.cpu().saturated();
        c.connectsPerS = r.connectsPerS();
    }

    /**
     * Server CPU over the load generator's measured interval: exact when it measured (its report
     * gives the interval's wall-clock bounds), otherwise the last {@code duration} before it exited.
     */
    private Window serverCpu(CaseResult c, JsonReport r, Sampler sampler, long exitedAt) {
        long from = r.measureStartEpochMs();
        long to = r.measureEndEpochMs();
        if (to > from) {
            c.cpuWindow = "measured interval";
        } else {
            to = exitedAt;
            from = to - setup.duration().toMillis();
            c.cpuWindow = "estimated: last " + seconds(setup.duration()) + " before the load generator exited";
        }
        double seconds = (to - from) / 1e3;
        double cpu = sampler.cpuSecondsBetween(from, to);
        c.serverCpuPct = 100 * cpu / seconds;
        c.hostCpuPct = 100 * sampler.hostCpuSecondsBetween(from, to) / seconds;
        if (c.loadgenCpuPct != null) {
            c.otherLoadPct = c.hostCpuPct - c.serverCpuPct - c.loadgenCpuPct;
        }
        if (c.messages == null && c.msgsPerS != null) {
            c.messages = Math.round(c.msgsPerS * seconds);
        }
        if (c.messages != null && c.messages > 0) {
            c.serverCpuUsPerMsg = cpu * 1e6 / c.messages;
        }
        return new Window(from, to);
    }

    /** The load generator's measured interval on the wall clock. */
    private record Window(long fromEpochMs, long toEpochMs) {
    }

    /** Idle connections: memory and threads per connection, and the CPU an idle server burns. */
    private void idle(CaseResult c, ServerProcess server, Sampler sampler) throws IOException, InterruptedException {
        Proc.Sample before = sampler.now().orElseThrow();
        List<SocketChannel> open = new ArrayList<>(c.connections);
        try {
            openIdle(open, c.connections, server.port());
            Thread.sleep(2_000); // let the server accept and settle
            Proc.Sample loaded = sampler.now().orElseThrow();
            Thread.sleep(setup.duration().toMillis());
            Proc.Sample after = sampler.now().orElseThrow();
            c.rssPerConnectionKb = (loaded.rssBytes() - before.rssBytes()) / 1e3 / c.connections;
            c.threadsPerConnection = (double) (loaded.threads() - before.threads()) / c.connections;
            c.idleCpuPct = 100 * Proc.coresUsed(loaded, after);
            c.kernelBill = kernelBill ? KernelBill.threadsNow(server.pid()) : null;
        } catch (IOException e) {
            fail(c, "opened " + open.size() + " of " + c.connections + " idle connections: " + e.getMessage(), List.of());
        } finally {
            closeAll(open);
        }
    }

    /** Opens {@code n} connections to the server that send nothing, into {@code open} (those opened before a failure too). */
    private static void openIdle(List<SocketChannel> open, int n, int port) throws IOException {
        for (int i = 0; i < n; i++) {
            SocketChannel ch = SocketChannel.open();
            open.add(ch);
            ch.connect(new InetSocketAddress("127.0.0.1", port));
        }
    }

    private static void closeAll(List<SocketChannel> open) {
        for (SocketChannel ch : open) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing an idle client: nothing to save
            }
        }
    }

    private static CaseResult failed(CaseResult c, String why, List<String> output) {
        fail(c, why, output);
        return c;
    }

    private static void fail(CaseResult c, String why, List<String> output) {
        c.status = CaseResult.Status.failed;
        c.failure = why;
        c.serverOutput = output;
    }

    private static String fileName(CaseResult c) {
        return (String.join("", c.serverPrefix) + c.backend + String.join("", c.serverArgs) + String.join("", c.loadgenArgs)
                + (c.pipeline > 1 ? "-pipeline" + c.pipeline : "")
                + (c.idleBeside > 0 ? "-idle" + c.idleBeside : "") + "-" + c.scenario + "-c" + c.connections + "-" + c.work + "-r" + c.repeat)
                .replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private static List<String> tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.subList(Math.max(0, lines.size() - 15), lines.size());
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String lastLine(Path log) {
        List<String> t = tail(log);
        return t.isEmpty() ? "" : t.get(t.size() - 1);
    }
}
