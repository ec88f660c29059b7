package dev.echolab.lab.render;

import com.fasterxml.jackson.databind.JsonNode;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The CPU-per-message chart of a {@code compare} dataset: one group of bars per server (the order
 * of the {@code cpu} table), one bar per connection count.
 */
record CpuChart(String title, List<String> servers, List<Integer> connections, List<List<Double>> values) implements Picture {

    static CpuChart of(Dataset d, String work) {
        List<String> servers = Views.servers(d, work);
        List<JsonNode> load = Dataset.matching(d.rows(), Map.of("scenario", "load", "work", work));
        List<Integer> conns = load.stream().map(r -> r.get("connections").asInt()).distinct().sorted().toList();
        List<List<Double>> values = new ArrayList<>();
        for (int n : conns) {
            List<Double> v = new ArrayList<>();
            for (String b : servers) {
                v.add(Dataset.matching(load, Map.of("backend", b, "connections", String.valueOf(n))).stream()
                        .map(r -> Dataset.number(r, "cpu_us_per_msg")).filter(Objects::nonNull).findFirst().orElse(null));
            }
            values.add(v);
        }
        return new CpuChart("Server CPU time per message (µs), work " + work + ", data: " + d.name(), servers, conns, values);
    }

    /** Whether the run measured anything to draw: a run the lab judged disturbed throughout has no medians. */
    @Override
    public boolean empty() {
        return values.stream().flatMap(List::stream).allMatch(Objects::isNull);
    }

    @Override
    public String numbers() {
        return toString();
    }

    @Override
    public byte[] png() throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(420).title(title)
                .xAxisTitle("server").yAxisTitle("µs/msg").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisLabelRotation(30);
        chart.getStyler().setYAxisDecimalPattern("#,##0.#");
        for (int i = 0; i < connections.size(); i++) {
            chart.addSeries(connections.get(i) + " connections", servers, values.get(i));
        }
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }
}
