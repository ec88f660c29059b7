package dev.echolab.lab;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The report's charts, drawn with XChart into PNG files (under {@code charts/}) that the HTML
 * report also embeds, so it opens offline as one file.
 */
final class Charts {

    /** One chart: file name, title, what it shows, and the PNG itself. */
    record Image(String name, String title, String caption, byte[] png) {

        String dataUri() {
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
        }
    }

    private static final int WIDTH = 900;
    private static final int HEIGHT = 420;

    private final List<Image> images = new ArrayList<>();
    /** The peers' ids: their series and bars say "(reference)". */
    private Set<String> references = Set.of();

    List<Image> images() {
        return images;
    }

    static Charts render(List<Summary> rows, Path dir) throws IOException {
        Files.createDirectories(dir);
        Charts c = new Charts();
        c.references = rows.stream().filter(Summary::reference).map(Summary::backend).collect(Collectors.toSet());
        List<Summary> load = rows.stream().filter(r -> r.scenario().equals("load") && r.work().equals("none")).toList();
        List<String> backends = rows.stream().map(Summary::backend).distinct().toList();
        int focus = nearestTo500(load);
        c.throughput(load, backends);
        c.perBackend("latency", "Latency percentiles at " + focus + " connections (ms)",
                "Round-trip latency measured by the load generator, closed loop, no simulated work.",
                "ms", backends, load.stream().filter(r -> r.connections() == focus).toList(),
                List.of(new Series<>("p50", r -> ms(r.p50Us())), new Series<>("p90", r -> ms(r.p90Us())),
                        new Series<>("p99", r -> ms(r.p99Us())), new Series<>("p99.9", r -> ms(r.p999Us()))));
        c.perConnections("cpu-per-message", "Server CPU time per message (µs)",
                "Server process CPU (user + system, from /proc) over the measured interval, divided by echoed messages. Lower is better; the headline figure.",
                "µs/msg", backends, load, Summary::cpuUsPerMsg);
        c.memory(rows, backends);
        c.perConnections("threads", "Server threads under load",
                "Peak thread count of the server process (/proc/PID/task) during each load case.",
                "threads", backends, load, r -> r.threads() == null ? null : r.threads().doubleValue());
        c.work(rows, backends, focus);
        for (Image i : c.images) {
            Files.write(dir.resolve(i.name() + ".png"), i.png());
        }
        return c;
    }

    private void throughput(List<Summary> load, List<String> backends) throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Throughput vs connections")
                .xAxisTitle("connections").yAxisTitle("msgs/s").build();
        style(chart.getStyler());
        chart.getStyler().setXAxisLogarithmic(load.stream().mapToInt(Summary::connections).distinct().count() > 1);
        for (String b : backends) {
            List<Summary> pts = load.stream().filter(r -> r.backend().equals(b) && r.msgsPerS() != null)
                    .sorted(Comparator.comparingInt(Summary::connections)).toList();
            if (!pts.isEmpty()) {
                chart.addSeries(label(b), pts.stream().map(r -> (double) r.connections()).toList(),
                        pts.stream().map(Summary::msgsPerS).toList());
            }
        }
        add("throughput", "Throughput vs connections",
                "Echoed messages per second, closed loop, one message in flight per connection. On a small machine the load generator's core caps every fast server: read it with the CPU-per-message chart.",
                chart);
    }

    private void memory(List<Summary> rows, List<String> backends) throws IOException {
        List<Summary> idle = rows.stream().filter(r -> r.scenario().equals("idle")).toList();
        String caption = idle.isEmpty()
                ? "RSS growth per connection under load (peak RSS minus RSS at start, divided by connections)."
                : "RSS growth per idle connection (" + idle.get(0).connections() + " idle connections, RSS after minus before).";
        List<Summary> source = idle.isEmpty() ? largestLoad(rows) : idle;
        perBackend("memory-per-connection", "Memory per connection (KB)", caption, "KB", backends, source,
                List.of(new Series<>("RSS per connection", Summary::rssPerConnectionKb)));
    }

    private void work(List<Summary> rows, List<String> backends, int focus) throws IOException {
        List<Summary> withWork = rows.stream().filter(r -> r.scenario().equals("load") && r.connections() == focus).toList();
        List<String> works = withWork.stream().map(Summary::work).distinct().toList();
        if (works.size() < 2) {
            return;
        }
        List<Series<Summary>> series = works.stream()
                .map(w -> new Series<Summary>("work " + w, r -> r.work().equals(w) ? r.msgsPerS() : null)).toList();
        perBackend("work", "IO-bound vs CPU-bound work at " + focus + " connections (msgs/s)",
                "Simulated per-message work: io blocks the handling thread (a blocking call), cpu burns the CPU. Event loops run it on the loop unless --offload.",
                "msgs/s", backends, withWork, series);
    }

    record Series<T>(String name, Function<T, Double> value) {
    }

    private void perConnections(String name, String title, String caption, String unit, List<String> backends,
                                List<Summary> load, Function<Summary, Double> value) throws IOException {
        List<Series<Summary>> series = load.stream().map(Summary::connections).distinct().sorted()
                .map(n -> new Series<Summary>(n + " connections", r -> r.connections() == n ? value.apply(r) : null))
                .toList();
        perBackend(name, title, caption, unit, backends, load, series);
    }

    /** A grouped bar chart: one group per backend, one bar per series; a missing figure is no bar. */
    private void perBackend(String name, String title, String caption, String unit, List<String> backends,
                            List<Summary> rows, List<Series<Summary>> series) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("backend").yAxisTitle(unit).build();
        style(chart.getStyler());
        chart.getStyler().setXAxisLabelRotation(20); // "py-asyncio (reference)" and its neighbours must not overlap
        for (Series<Summary> s : series) {
            List<Double> ys = new ArrayList<>();
            for (String b : backends) {
                ys.add(rows.stream().filter(r -> r.backend().equals(b)).map(s.value()).filter(Objects::nonNull)
                        .findFirst().orElse(null));
            }
            if (ys.stream().anyMatch(Objects::nonNull)) {
                chart.addSeries(s.name(), backends.stream().map(this::label).toList(), ys);
            }
        }
        add(name, title, caption, chart);
    }

    private String label(String backend) {
        return references.contains(backend) ? backend + " (reference)" : backend;
    }

    private void add(String name, String title, String caption, Chart<?, ?> chart) throws IOException {
        if (chart.getSeriesMap().isEmpty()) {
            return; // nothing measured for this chart: the tables say why
        }
        images.add(new Image(name, title, caption, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG)));
    }

    private static void style(Styler s) {
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setChartBackgroundColor(java.awt.Color.WHITE);
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
}
