package dev.echolab.lab.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echolab.lab.sweep.SweepCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The HTML report in a real browser: headless Chromium, driven over the DevTools protocol with the
 * JDK's own WebSocket client, loads a report written by the real report code from sample results
 * ({@link SampleReport}), with no console error, and every chart drawn by uPlot with data: each series
 * of its JSON drawn with points, pixels in the series' colours on the canvas, tick labels without
 * scientific notation. Screenshot: target/report-screenshot.png.
 * Skipped, with the reason printed, when Chromium is not installed (.ci/run installs it).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ReportInBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void rendersEveryChartWithoutConsoleErrors(@TempDir Path tmp) throws Exception {
        List<String> expected = new ArrayList<>(List.of("chart-throughput", "chart-latency-spectrum", "chart-latency",
                "chart-cpu-per-message", "chart-memory-per-connection", "chart-threads", "chart-work"));
        for (String scenario : List.of("50-connections-work-none", "500-connections-work-none",
                "50-connections-work-io-2ms", "500-connections-work-io-2ms")) {
            expected.addAll(List.of("chart-msgs-" + scenario, "chart-cpu-" + scenario));
        }
        JsonNode charts = drawn(tmp, SampleReport.write(tmp.resolve("report")), expected, "report-screenshot.png");
        JsonNode spectrum = charts.get(1);
        assertTrue(spectrum.get("ticks").get(0).asText().matches("0% \\| 90% \\| 99% \\| 99\\.9% \\| 99\\.99%.*"),
                "percentile axis: " + spectrum.get("ticks"));
    }

    /** The chapter's page: one bar chart per experiment, a bar per runtime, drawn as the compare report's are. */
    @Test
    void rendersTheChaptersBarCharts(@TempDir Path tmp) throws Exception {
        Charts charts = Charts.bars(List.of(
                new Charts.Bars("chapter-gil", "gil: CPU-bound work (cores used)", "the GIL", "cores used",
                        List.of("blocking", "py-threads", "py-threads --processes 2"), Map.of("cores used", List.of(1.9, 1.0, 1.8))),
                new Charts.Bars("chapter-switch", "switch", "one switch", "ns per switch",
                        List.of("java virtual (1 core)", "java platform (2 cores)", "python greenlet (1 core)"),
                        Map.of("ns per switch", List.of(260.0, 4400.0, 150.0)))));
        Environment env = Environment.read(Path.of("").toAbsolutePath().getParent(), "not pinned", "nio", "", Map.of());
        Path page = tmp.resolve("chapter.html");
        Files.writeString(page, HtmlReport.page("echolab: the chapter's experiments", null, "undisturbed", env, charts,
                List.of(new Tables.Table("gil", null, List.of("runtime", "cores used"), List.of(List.of("blocking", "1.90"))))));
        drawn(tmp, page, List.of("chart-chapter-gil", "chart-chapter-switch"), "chapter-screenshot.png");
    }

    /** The sweep's page: every model's p50 and p99 against the offered rate on log-log axes, and the bound. */
    @Test
    void rendersTheSweepsCurves(@TempDir Path tmp) throws Exception {
        List<SweepCommand.Model> models = List.of(
                new SweepCommand.Model("nio", false, List.of(step(1000, 90, 300), step(1500, 95, 420), step(2250, 2_000, 40_000)), 1500.0, "p99 above the bound"),
                new SweepCommand.Model("c-epoll", true, List.of(step(1000, 60, 200), step(1500, 70, 260), step(2250, 80, 9_000)), 2250.0, "max steps"));
        Charts charts = SweepCommand.chart(models, java.time.Duration.ofMillis(10), 50, "none");
        Environment env = Environment.read(Path.of("").toAbsolutePath().getParent(), "not pinned", "nio", "", Map.of());
        Path page = tmp.resolve("sweep.html");
        Files.writeString(page, HtmlReport.page("echolab: latency against offered load", null, "undisturbed", env, charts,
                List.of(new Tables.Table("Highest rate under the bound", null, List.of("server", "msgs/s"), List.of(List.of("nio", "1,500"))))));
        JsonNode drawn = drawn(tmp, page, List.of("chart-sweep"), "sweep-screenshot.png");
        assertEquals(5, drawn.get(0).get("lines").asInt(), "p50 and p99 of two models and the bound: " + drawn);
        assertTrue(drawn.get(0).get("ticks").get(1).asText().contains("10"), "log y axis ticks through the bound: " + drawn);
    }

    private static SweepCommand.StepResult step(double offered, long p50Us, long p99Us) {
        return new SweepCommand.StepResult(offered, offered, p50Us, p99Us, 0, "ok", "ok");
    }

    /**
     * Loads {@code report} in headless Chromium and checks every chart was drawn with data, in the
     * order {@code expected}, with no console error; returns what the page drew per chart.
     */
    private static JsonNode drawn(Path tmp, Path report, List<String> expected, String screenshot) throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "skipped: " + CHROMIUM + " is not installed (apt-get install chromium)");
        Process browser = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + tmp.resolve("profile"), "--remote-debugging-port=0",
                "--window-size=1280,900", "about:blank").redirectErrorStream(true).start();
        try (DevTools page = DevTools.attach(browser)) {
            page.send("Runtime.enable", Map.of());
            page.send("Log.enable", Map.of());
            page.send("Page.enable", Map.of());
            CompletableFuture<JsonNode> loaded = page.next("Page.loadEventFired");
            page.send("Page.navigate", Map.of("url", report.toUri().toString()));
            loaded.get(30, TimeUnit.SECONDS);

            // Per chart, what the page drew: the series and points its script counted, the canvas size,
            // the pixels in the series' own colours (a canvas with axes and no data has none), and the
            // tick labels uPlot drew (its axes' _values, internal but the only record of canvas text).
            JsonNode charts = JSON.readTree(page.evaluate("""
                    JSON.stringify([...document.querySelectorAll('figure.chart')].map(f => {
                      const name = f.id.substring('chart-'.length);
                      const data = JSON.parse(document.getElementById('chart-data').textContent).find(c => c.name === name);
                      const canvas = f.querySelector('canvas');
                      const drawn = (window.echolabCharts || {})[name] || {series: 0, points: 0};
                      let coloured = 0;
                      if (canvas && data) {
                        const rgb = data.lines.map(l => [1, 3, 5].map(i => parseInt(l.colour.substring(i, i + 2), 16)));
                        const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                        for (let i = 0; i < px.length; i += 4) {
                          if (rgb.some(c => Math.abs(px[i] - c[0]) + Math.abs(px[i + 1] - c[1]) + Math.abs(px[i + 2] - c[2]) < 24)) {
                            coloured++;
                          }
                        }
                      }
                      const ticks = f.uplot ? f.uplot.axes.map(a => (a._values || []).join(' | ')) : [];
                      return {id: f.id, lines: data ? data.lines.length : 0, series: drawn.series, points: drawn.points,
                              width: canvas ? canvas.width : 0, height: canvas ? canvas.height : 0,
                              coloured: coloured, ticks: ticks};
                    }))"""));
            List<String> seen = new ArrayList<>();
            for (JsonNode c : charts) {
                seen.add(c.get("id").asText());
                assertTrue(c.get("width").asInt() > 300 && c.get("height").asInt() > 150, "chart has a canvas: " + c);
                assertTrue(c.get("lines").asInt() > 0 && c.get("series").asInt() == c.get("lines").asInt()
                        && c.get("points").asInt() >= c.get("lines").asInt(), "every series drawn, with points: " + c);
                assertTrue(c.get("coloured").asInt() > 100, "pixels in the series' colours: " + c);
                String ticks = c.get("ticks").toString();
                assertTrue(c.get("ticks").size() == 2 && !ticks.matches("(?s).*\\d[eE][+-]?\\d.*"),
                        "tick labels drawn, none in scientific notation: " + ticks);
            }
            assertEquals(expected, seen);

            JsonNode shot = page.send("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
            Path png = Path.of("target", screenshot);
            Files.write(png, Base64.getDecoder().decode(shot.get("data").asText()));
            assertTrue(Files.size(png) > 10_000, "screenshot has content");
            assertEquals(List.of(), page.consoleErrors(), "console errors");
            return charts;
        } finally {
            // its renderer and helper processes too: they write into the profile until they end
            List<ProcessHandle> all = new ArrayList<>(browser.descendants().toList());
            all.add(browser.toHandle());
            all.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle p : all) {
                p.onExit().get(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A minimal Chrome DevTools Protocol client for one page: commands, events, console errors. */
    static final class DevTools implements AutoCloseable, WebSocket.Listener {
        private final AtomicInteger ids = new AtomicInteger();
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final Map<String, CompletableFuture<JsonNode>> awaited = new ConcurrentHashMap<>();
        private final List<String> errors = new CopyOnWriteArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static DevTools attach(Process browser) throws Exception {
            BufferedReader out = new BufferedReader(new InputStreamReader(browser.getInputStream(), StandardCharsets.UTF_8));
            Pattern listening = Pattern.compile("DevTools listening on ws://([^/]+)/");
            String line;
            String hostPort = null;
            while (hostPort == null && (line = out.readLine()) != null) {
                Matcher m = listening.matcher(line);
                if (m.find()) {
                    hostPort = m.group(1);
                }
            }
            assertTrue(hostPort != null, "chromium did not start its DevTools endpoint");
            Thread.ofPlatform().daemon().start(() -> out.lines().forEach(l -> { })); // keep its pipe drained
            HttpClient http = HttpClient.newHttpClient();
            JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + "/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            String pageUrl = null;
            for (JsonNode t : targets) {
                if (t.get("type").asText().equals("page")) {
                    pageUrl = t.get("webSocketDebuggerUrl").asText();
                }
            }
            DevTools d = new DevTools();
            d.socket = http.newWebSocketBuilder().buildAsync(URI.create(pageUrl), d).get(10, TimeUnit.SECONDS);
            return d;
        }

        JsonNode send(String method, Map<String, Object> params) throws Exception {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonNode> reply = new CompletableFuture<>();
            pending.put(id, reply);
            ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
            msg.set("params", JSON.valueToTree(params));
            socket.sendText(JSON.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
            JsonNode r = reply.get(30, TimeUnit.SECONDS);
            assertTrue(r.get("error") == null, method + " failed: " + r);
            return r.get("result");
        }

        CompletableFuture<JsonNode> next(String event) {
            return awaited.computeIfAbsent(event, e -> new CompletableFuture<>());
        }

        String evaluate(String expression) throws Exception {
            JsonNode r = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
            return r.get("result").get("value").asText();
        }

        List<String> consoleErrors() {
            return errors;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                handle(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        private void handle(String text) {
            try {
                JsonNode msg = JSON.readTree(text);
                if (msg.has("id")) {
                    CompletableFuture<JsonNode> f = pending.remove(msg.get("id").asInt());
                    if (f != null) {
                        f.complete(msg);
                    }
                    return;
                }
                String method = msg.get("method").asText();
                JsonNode p = msg.get("params");
                switch (method) {
                    case "Runtime.exceptionThrown" -> errors.add("exception: " + p.get("exceptionDetails"));
                    case "Runtime.consoleAPICalled" -> {
                        if (p.get("type").asText().equals("error")) {
                            errors.add("console.error: " + p.get("args"));
                        }
                    }
                    case "Log.entryAdded" -> {
                        if (p.get("entry").get("level").asText().equals("error")) {
                            errors.add("log: " + p.get("entry").get("text").asText());
                        }
                    }
                    default -> {
                        CompletableFuture<JsonNode> f = awaited.get(method);
                        if (f != null) {
                            f.complete(p);
                        }
                    }
                }
            } catch (Exception e) {
                errors.add("unreadable DevTools message: " + e);
            }
        }

        @Override
        public void close() {
            if (socket != null) {
                socket.abort();
            }
        }
    }
}
