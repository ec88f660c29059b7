package dev.echolab.lab.report;

import dev.echolab.lab.run.CaseResult;
import dev.echolab.lab.run.Summary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A report written by the real report code from made-up but plausible results, for tests. */
final class SampleReport {

    private SampleReport() {
    }

    static Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<CaseResult> cases = new ArrayList<>();
        String[] backends = {"blocking", "pool", "virtual", "nio", "netty"};
        for (int b = 0; b < backends.length; b++) {
            for (String work : List.of("none", "io:2ms")) {
                for (int conns : List.of(50, 500)) {
                    CaseResult c = base(backends[b], "load", conns, work);
                    c.msgsPerS = 100_000.0 / (b + 1) / (work.equals("none") ? 1 : 10);
                    c.serverCpuUsPerMsg = 7.0 + b;
                    c.p50Us = 300L * (b + 1);
                    c.p90Us = 500L * (b + 1);
                    c.p99Us = 900L * (b + 1);
                    c.p999Us = 1500L * (b + 1);
                    c.maxUs = 4000L * (b + 1);
                    c.errors = 0L;
                    c.mismatches = 0L;
                    c.starvedConnections = backends[b].equals("pool") && conns > 200 ? conns - 200L : 0L;
                    c.serverThreadsPeak = backends[b].equals("blocking") ? conns + 20 : 20;
                    c.serverRssMbPeak = 60.0 + conns / 10.0;
                    c.loadgenCpuPct = 95.0;
                    c.loadgenSaturated = true;
                    c.latencySpectrum = spectrum(c.p50Us, c.maxUs);
                    c.timeline = timeline(c.msgsPerS, 60.0 + 5 * b);
                    cases.add(c);
                }
            }
            CaseResult idle = base(backends[b], "idle", 5000, "none");
            idle.rssPerConnectionKb = backends[b].equals("blocking") ? 200.0 : 5.0 + b;
            idle.threadsPerConnection = backends[b].equals("blocking") ? 1.0 : 0.0;
            idle.idleCpuPct = 0.1;
            cases.add(idle);
        }
        CaseResult broken = base("netty", "load", 5000, "none");
        broken.status = CaseResult.Status.failed;
        broken.failure = "server <exited> before it was ready & said \"why\"";
        broken.serverOutput = List.of("error: something <b>bold</b>");
        cases.add(broken);

        Environment env = Environment.read(Path.of("."), "server pinned to CPU 0", "nio", "", Map.of("sample", true));
        List<Summary> summary = Summary.of(cases);
        Charts charts = Charts.of(summary, cases);
        charts.writePngs(dir.resolve("charts"));
        Files.writeString(dir.resolve("report.md"), MarkdownReport.render(env, summary, cases, charts, null));
        Path html = dir.resolve("report.html");
        Files.writeString(html, HtmlReport.render(env, summary, cases, charts, null));
        return html;
    }

    /** Percentiles as HdrHistogram iterates them (4 steps per halving), latency rising towards the maximum. */
    private static List<CaseResult.Percentile> spectrum(long p50Us, long maxUs) {
        List<CaseResult.Percentile> points = new ArrayList<>();
        for (int halvings = 0; halvings < 16; halvings++) {
            for (int step = 0; step < 4; step++) {
                double rest = Math.pow(0.5, halvings + step / 4.0);
                points.add(new CaseResult.Percentile(100 * (1 - rest), Math.round(p50Us * 0.5 / Math.sqrt(rest))));
            }
        }
        points.add(new CaseResult.Percentile(99.999, maxUs));
        return points;
    }

    /** Two seconds of warm-up ramping up, then three measured seconds, the last one with a stall. */
    private static List<CaseResult.Second> timeline(double msgsPerS, double cpuPct) {
        double[] share = {0.4, 0.9, 1.0, 1.02, 0.6};
        List<CaseResult.Second> points = new ArrayList<>();
        for (int i = 0; i < share.length; i++) {
            points.add(new CaseResult.Second(i - 1, msgsPerS * share[i], cpuPct * share[i]));
        }
        return points;
    }

    private static CaseResult base(String backend, String scenario, int conns, String work) {
        CaseResult c = new CaseResult();
        c.backend = backend;
        c.scenario = scenario;
        c.connections = conns;
        c.work = work;
        c.repeat = 1;
        return c;
    }
}
