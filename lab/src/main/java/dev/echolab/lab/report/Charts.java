package dev.echolab.lab.report;

import dev.echolab.lab.run.CaseResult;
import dev.echolab.lab.run.Summary;
import dev.echolab.lab.run.Verdict;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The report's charts as data: what each shows, whoever draws it. report.html draws every one
 * with uPlot in the browser (hover, legend toggles); report.md, which cannot run scripts, links the
 * PNG files that {@link #writePngs} draws with XChart (all but the small over-time charts).
 */
public final class Charts {

    /** How the x axis reads: numbers, numbers on a log scale, percentiles (1/(1-p), log), or category names. */
    enum Axis { LINEAR, LOG, PERCENTILE, CATEGORY }

    /**
     * One series: its points ({@code x} is the category's index on a {@link Axis#CATEGORY} chart,
     * {@code 1/(1-p)} on a {@link Axis#PERCENTILE} one; a null y is no point), its colour, and whether
     * it is a reference (drawn dashed).
     */
    record Line(String name, String colour, boolean reference, List<Double> x, List<Double> y) {
    }

    /**
     * One chart; {@code small} ones sit two to a row in the HTML report and have no PNG. Built by
     * name through {@link #named}: five of its fields are strings a positional call could swap
     * without a compiler noticing.
     */
    record Chart(String name, String title, String caption, Axis axis, String xTitle, String yTitle,
                 List<String> categories, List<Line> lines, boolean small, boolean logY) {

        /** A chart called {@code name}: linear, no caption, no categories, full width, until set. */
        static Builder named(String name) {
            return new Builder(name);
        }

        /** Each setter names the field it sets; {@link #build} is the one positional call, in the record's order. */
        static final class Builder {
            private final String name;
            private String title;
            private String caption;
            private Axis axis = Axis.LINEAR;
            private String xTitle;
            private String yTitle;
            private List<String> categories = List.of();
            private List<Line> lines = List.of();
            private boolean small;
            private boolean logY;

            private Builder(String name) {
                this.name = name;
            }

            Builder title(String v) {
                title = v;
                return this;
            }

            Builder caption(String v) {
                caption = v;
                return this;
            }

            Builder axis(Axis v) {
                axis = v;
                return this;
            }

            Builder xTitle(String v) {
                xTitle = v;
                return this;
            }

            Builder yTitle(String v) {
                yTitle = v;
                return this;
            }

            Builder categories(List<String> v) {
                categories = v;
                return this;
            }

            Builder lines(List<Line> v) {
                lines = v;
                return this;
            }

            Builder small() {
                small = true;
                return this;
            }

            /** A logarithmic y axis: latencies that span microseconds to seconds on one chart. */
            Builder logY() {
                logY = true;
                return this;
            }

            Chart build() {
                return new Chart(name, title, caption, axis, xTitle, yTitle, categories, lines, small, logY);
            }
        }
    }

    /** Tableau's ten colours: one per backend, the same in every chart of both reports. */
    static final List<String> PALETTE = List.of("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
            "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac");

    private final List<Chart> all = new ArrayList<>();
    private final List<String> backends;

    private Charts(List<String> backends) {
        this.backends = backends;
    }

    List<Chart> all() {
        return all;
    }

    List<Chart> large() {
        return all.stream().filter(c -> !c.small()).toList();
    }

    public static Charts of(List<Summary> rows, List<CaseResult> all) {
        Charts c = new Charts(rows.stream().map(Summary::backend).distinct().toList());
        // as in the medians (Summary): a run the lab judged disturbed is in the tables, not drawn
        List<CaseResult> cases = all.stream().filter(r -> r.verdict != Verdict.Kind.DISTURBED).toList();
        List<Summary> load = rows.stream().filter(r -> r.scenario().equals("load") && r.work().equals("none")).toList();
        int focus = nearestTo500(load);
        c.throughput(load);
        c.spectrum(cases, focus);
        c.perBackend("latency", "Latency percentiles at " + focus + " connections (ms)",
                "Round-trip latency measured by the load generator, closed loop, no simulated work.",
                "ms", load.stream().filter(r -> r.connections() == focus).toList(),
                List.of(new Series<>("p50", r -> ms(r.p50Us())), new Series<>("p90", r -> ms(r.p90Us())),
                        new Series<>("p99", r -> ms(r.p99Us())), new Series<>("p99.9", r -> ms(r.p999Us()))));
        c.perConnections("cpu-per-message", "Server CPU time per message (µs)",
                "Server process CPU (user + system, from /proc) over the measured interval, divided by echoed messages. Lower is better; the headline figure.",
                "µs/msg", load, Summary::cpuUsPerMsg);
        c.memory(rows);
        c.perConnections("threads", "Server threads under load",
                "Peak thread count of the server process (/proc/PID/task) during each load case.",
                "threads", load, r -> r.threads() == null ? null : r.threads().doubleValue());
        c.work(rows, focus);
        c.timelines(cases);
        return c;
    }

    private void throughput(List<Summary> load) {
        boolean log = load.stream().mapToInt(Summary::connections).distinct().count() > 1;
        List<Line> lines = new ArrayList<>();
        for (String b : backends) {
            List<Summary> pts = load.stream().filter(r -> r.backend().equals(b) && r.msgsPerS() != null)
                    .sorted(Comparator.comparingInt(Summary::connections)).toList();
            if (!pts.isEmpty()) {
                lines.add(line(b, pts.get(0).reference(), pts.stream().map(r -> (double) r.connections()).toList(),
                        pts.stream().map(Summary::msgsPerS).toList()));
            }
        }
        add(Chart.named("throughput").title("Throughput vs connections")
                .caption("Echoed messages per second, closed loop, one message in flight per connection. On a small machine the load generator's core caps every fast server: read it with the CPU-per-message chart.")
                .axis(log ? Axis.LOG : Axis.LINEAR).xTitle("connections").yTitle("msgs/s").lines(lines).build());
    }

    /**
     * The latency spectrum of the focus case, one line per backend: of its repetitions, the one with
     * the median p99, so that the curve is one real run and not a blend.
     */
    private void spectrum(List<CaseResult> cases, int focus) {
        List<Line> lines = new ArrayList<>();
        for (String b : backends) {
            List<CaseResult> runs = cases.stream().filter(c -> c.backend.equals(b) && c.scenario.equals("load")
                    && c.work.equals("none") && c.connections == focus && c.latencySpectrum != null && c.p99Us != null)
                    .sorted(Comparator.comparingLong(c -> c.p99Us)).toList();
            if (!runs.isEmpty()) {
                CaseResult median = runs.get((runs.size() - 1) / 2);
                lines.add(line(b, median.reference,
                        median.latencySpectrum.stream().map(p -> 1 / (1 - p.percentile() / 100)).toList(),
                        median.latencySpectrum.stream().map(p -> p.us() / 1000.0).toList()));
            }
        }
        add(Chart.named("latency-spectrum").title("Latency by percentile at " + focus + " connections (ms)")
                .caption("Every percentile of the round trips in the measured interval (HdrHistogram's percentile spectrum, as wrk2 plots it): "
                        + "the x axis stretches the tail, each step right is ten times rarer; the last point is the maximum. "
                        + "Closed loop, no simulated work; of several repetitions, the one with the median p99. References dashed.")
                .axis(Axis.PERCENTILE).xTitle("percentile").yTitle("ms").lines(lines).build());
    }

    private void memory(List<Summary> rows) {
        List<Summary> idle = rows.stream().filter(r -> r.scenario().equals("idle")).toList();
        String caption = idle.isEmpty()
                ? "RSS growth per connection under load (peak RSS minus RSS at start, divided by connections)."
                : "RSS growth per idle connection (" + idle.get(0).connections() + " idle connections, RSS after minus before).";
        List<Summary> source = idle.isEmpty() ? largestLoad(rows) : idle;
        perBackend("memory-per-connection", "Memory per connection (KB)", caption, "KB", source,
                List.of(new Series<>("RSS per connection", Summary::rssPerConnectionKb)));
    }

    private void work(List<Summary> rows, int focus) {
        List<Summary> withWork = rows.stream().filter(r -> r.scenario().equals("load") && r.connections() == focus).toList();
        List<String> works = withWork.stream().map(Summary::work).distinct().toList();
        if (works.size() < 2) {
            return;
        }
        List<Series<Summary>> series = works.stream()
                .map(w -> new Series<Summary>("work " + w, r -> r.work().equals(w) ? r.msgsPerS() : null)).toList();
        perBackend("work", "IO-bound vs CPU-bound work at " + focus + " connections (msgs/s)",
                "Simulated per-message work: io blocks the handling thread (a blocking call), cpu burns the CPU. Event loops run it on the loop unless --offload.",
                "msgs/s", withWork, series);
    }

    /**
     * Per load scenario, msgs/s and server CPU second by second, one line per run: warm-up (x below
     * 0), stalls and starved connections show here and vanish in the averages.
     */
    private void timelines(List<CaseResult> cases) {
        List<CaseResult> load = cases.stream().filter(c -> c.scenario.equals("load") && c.timeline != null).toList();
        List<String> scenarios = load.stream().sorted(Comparator.comparing((CaseResult c) -> c.work.equals("none") ? "" : c.work)
                .thenComparingInt(c -> c.connections)).map(Charts::scenario).distinct().toList();
        boolean repeated = load.stream().anyMatch(c -> c.repeat > 1);
        for (String s : scenarios) {
            List<CaseResult> runs = load.stream().filter(c -> scenario(c).equals(s)).toList();
            String id = s.replaceAll("[^A-Za-z0-9]+", "-");
            add(Chart.named("msgs-" + id).title("msgs/s over time, " + s).xTitle("s from the measurement's start").yTitle("msgs/s")
                    .lines(timeline(runs, repeated, t -> t.msgsPerS())).small().build());
            add(Chart.named("cpu-" + id).title("Server CPU over time, " + s).xTitle("s from the measurement's start")
                    .yTitle("% of a core").lines(timeline(runs, repeated, CaseResult.Second::serverCpuPct)).small().build());
        }
    }

    private List<Line> timeline(List<CaseResult> runs, boolean repeated, Function<CaseResult.Second, Double> value) {
        return runs.stream().map(c -> new Line(repeated ? c.backend + " #" + c.repeat : c.backend, colour(c.backend),
                c.reference, c.timeline.stream().map(CaseResult.Second::tS).toList(), c.timeline.stream().map(value).toList())).toList();
    }

    private static String scenario(CaseResult c) {
        return c.connections + " connections, work " + c.work;
    }

    record Series<T>(String name, Function<T, Double> value) {
    }

    private void perConnections(String name, String title, String caption, String unit, List<Summary> load,
                                Function<Summary, Double> value) {
        List<Series<Summary>> series = load.stream().map(Summary::connections).distinct().sorted()
                .map(n -> new Series<Summary>(n + " connections", r -> r.connections() == n ? value.apply(r) : null))
                .toList();
        perBackend(name, title, caption, unit, load, series);
    }

    /** Grouped bars: one group per backend, one bar per series; a missing figure is no bar. */
    private void perBackend(String name, String title, String caption, String unit, List<Summary> rows,
                            List<Series<Summary>> series) {
        List<String> groups = backends.stream().filter(b -> rows.stream().anyMatch(r -> r.backend().equals(b))).toList();
        List<Double> x = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            x.add((double) i);
        }
        List<Line> lines = new ArrayList<>();
        for (Series<Summary> s : series) {
            List<Double> ys = new ArrayList<>();
            for (String b : groups) {
                ys.add(rows.stream().filter(r -> r.backend().equals(b)).map(s.value()).filter(Objects::nonNull)
                        .findFirst().orElse(null));
            }
            if (ys.stream().anyMatch(Objects::nonNull)) {
                lines.add(new Line(s.name(), PALETTE.get(lines.size() % PALETTE.size()), false, x, ys));
            }
        }
        List<String> labels = groups.stream().map(b -> rows.stream().anyMatch(r -> r.backend().equals(b) && r.reference())
                ? b + " (ref)" : b).toList();
        add(Chart.named(name).title(title).caption(caption).axis(Axis.CATEGORY).xTitle("backend").yTitle(unit)
                .categories(labels).lines(lines).build());
    }

    private Line line(String backend, boolean reference, List<Double> x, List<Double> y) {
        return new Line(backend, colour(backend), reference, x, y);
    }

    private String colour(String backend) {
        return PALETTE.get(Math.max(0, backends.indexOf(backend)) % PALETTE.size());
    }

    /**
     * One bar chart of another command's table (the chapter's): a bar per row ({@code categories}),
     * a series per measure ({@code series}: name to one value per row, null where not measured).
     */
    public record Bars(String name, String title, String caption, String unit, List<String> categories,
                       java.util.Map<String, List<Double>> series) {
    }

    /** The charts of another command's report, one bar chart each. */
    public static Charts bars(List<Bars> all) {
        Charts c = new Charts(List.of());
        for (Bars b : all) {
            List<Line> lines = new ArrayList<>();
            int i = 0;
            for (var s : b.series().entrySet()) {
                List<Double> x = java.util.stream.IntStream.range(0, b.categories().size()).mapToObj(k -> (double) k).toList();
                lines.add(new Line(s.getKey(), PALETTE.get(i++ % PALETTE.size()), false, x, s.getValue()));
            }
            c.add(Chart.named(b.name()).title(b.title()).caption(b.caption()).axis(Axis.CATEGORY).yTitle(b.unit())
                    .categories(b.categories()).lines(lines).build());
        }
        return c;
    }

    /** One server's latency against offered load: at each offered rate (msgs/s), its p50 and p99 in ms (null: no figure). */
    public record Curve(String name, boolean reference, List<Double> offered, List<Double> p50Ms, List<Double> p99Ms) {
    }

    /**
     * Latency against offered load ({@code bin/lab sweep}): for every server its p99 (solid) and p50
     * (dashed) in one colour, on log-log axes, and the bound as a grey line across the rates tried.
     */
    public static Charts curves(String name, String title, String caption, List<Curve> curves, double boundMs) {
        Charts c = new Charts(curves.stream().map(Curve::name).toList());
        List<Line> lines = new ArrayList<>();
        for (Curve k : curves) {
            lines.add(new Line(k.name() + " p99", c.colour(k.name()), false, k.offered(), k.p99Ms()));
            lines.add(new Line(k.name() + " p50", c.colour(k.name()), true, k.offered(), k.p50Ms()));
        }
        List<Double> rates = curves.stream().flatMap(k -> k.offered().stream()).distinct().sorted().toList();
        if (!rates.isEmpty()) {
            lines.add(new Line("p99 bound", BOUND_COLOUR, true, List.of(rates.getFirst(), rates.getLast()), List.of(boundMs, boundMs)));
        }
        c.add(Chart.named(name).title(title).caption(caption).axis(Axis.LOG).xTitle("offered msgs/s").yTitle("ms")
                .lines(lines).logY().build());
        return c;
    }

    /** Grey: the bound a sweep judges against, not a server. */
    static final String BOUND_COLOUR = "#555555";

    private void add(Chart chart) {
        if (chart.lines().stream().anyMatch(l -> l.y().stream().anyMatch(Objects::nonNull))) {
            all.add(chart); // otherwise nothing was measured for it: the tables say why
        }
    }

    private static int nearestTo500(List<Summary> load) {
        return load.stream().map(Summary::connections).min(Comparator.comparingInt(n -> Math.abs(n - 500))).orElse(0);
    }

    private static List<Summary> largestLoad(List<Summary> rows) {
        int max = rows.stream().filter(r -> r.scenario().equals("load")).mapToInt(Summary::connections).max().orElse(0);
        return rows.stream().filter(r -> r.scenario().equals("load") && r.work().equals("none") && r.connections() == max).toList();
    }

    private static Double ms(Long us) {
        return us == null ? null : us / 1000.0;
    }

    // ---- PNG files for report.md, drawn with XChart

    private static final int WIDTH = 900;
    private static final int HEIGHT = 420;

    /** {@code DIR/NAME.png} for every large chart. */
    public void writePngs(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (Chart c : large()) {
            Files.write(dir.resolve(c.name() + ".png"), png(c));
        }
    }

    /** The first chart as a PNG (the docs draw one chart per block). */
    public byte[] firstPng() throws IOException {
        return png(all.getFirst());
    }

    private static byte[] png(Chart c) throws IOException {
        org.knowm.xchart.internal.chartpart.Chart<?, ?> png = c.axis() == Axis.CATEGORY ? bars(c) : lines(c);
        return BitmapEncoder.getBitmapBytes(png, BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart lines(Chart c) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(c.title())
                .xAxisTitle(c.xTitle()).yAxisTitle(c.yTitle()).build();
        style(chart.getStyler());
        chart.getStyler().setXAxisLogarithmic(c.axis() == Axis.LOG || c.axis() == Axis.PERCENTILE);
        chart.getStyler().setYAxisLogarithmic(c.logY());
        chart.getStyler().setXAxisDecimalPattern("#,##0");
        if (c.axis() == Axis.PERCENTILE) {
            chart.getStyler().setXAxisLogarithmicDecadeOnly(true);
            chart.getStyler().setXAxisMin(1.0);
            chart.setCustomXAxisTickLabelsFormatter(Charts::percentileLabel);
        }
        for (Line l : c.lines()) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < l.x().size(); i++) {
                if (l.y().get(i) != null && (!c.logY() || l.y().get(i) > 0)) {
                    xs.add(l.x().get(i));
                    ys.add(l.y().get(i));
                }
            }
            XYSeries s = chart.addSeries(l.name(), xs, ys);
            s.setLineColor(Color.decode(l.colour()));
            s.setMarkerColor(Color.decode(l.colour()));
            if (c.axis() == Axis.PERCENTILE) {
                s.setMarker(SeriesMarkers.NONE);
            }
            if (l.reference()) {
                s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f));
            }
        }
        return chart;
    }

    private static CategoryChart bars(Chart c) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(c.title())
                .xAxisTitle(c.xTitle()).yAxisTitle(c.yTitle()).build();
        style(chart.getStyler());
        chart.getStyler().setXAxisLabelRotation(30); // "py-asyncio (ref)" and its neighbours must not overlap
        for (Line l : c.lines()) {
            CategorySeries s = chart.addSeries(l.name(), c.categories(), l.y());
            s.setFillColor(Color.decode(l.colour()));
        }
        return chart;
    }

    private static void style(Styler s) {
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setChartBackgroundColor(Color.WHITE);
        if (s instanceof AxesChartStyler a) {
            a.setYAxisDecimalPattern("#,##0.###");
        }
    }

    /** 1 -> 0%, 10 -> 90%, 100 -> 99%, 1000 -> 99.9%: the labels of the percentile axis. */
    static String percentileLabel(double x) {
        int decimals = (int) Math.max(0, Math.ceil(Math.log10(x) - 2 - 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f%%", 100 * (1 - 1 / x));
    }
}
