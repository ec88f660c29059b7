package dev.echolab.lab.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.echolab.lab.run.CaseResult;
import dev.echolab.lab.run.Summary;
import dev.echolab.lab.run.Verdict;

import dev.echolab.lab.sample.SyscallCost;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;

/**
 * {@code report.html}: one self-contained page that opens offline and can be mailed around as one
 * file. Its charts are drawn in the browser by uPlot, whose script and stylesheet are inlined from
 * the uPlot WebJar on the classpath, from the chart data ({@link Charts}) inlined as JSON; our
 * drawing code is {@code report.js} beside this class.
 */
public final class HtmlReport {

    private static final String UPLOT = "META-INF/resources/webjars/uplot/";
    /** Six significant digits are plenty for a chart, and keep the data small. */
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new SimpleModule().addSerializer(Double.class,
            new JsonSerializer<>() {
                @Override
                public void serialize(Double v, JsonGenerator g, SerializerProvider p) throws IOException {
                    if (v.isNaN() || v.isInfinite()) {
                        g.writeNull();
                    } else {
                        g.writeNumber(new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString());
                    }
                }
            }));

    private HtmlReport() {
    }

    public static String render(Environment env, List<Summary> rows, List<CaseResult> cases, Charts charts, String incomplete) {
        return page("echolab: IO models compared", incomplete, Verdict.overall(cases), env, charts, Tables.build(env, rows, cases));
    }

    /**
     * A report page: its title, a line in red when it is incomplete (null when not), the lab's
     * verdict, the machine, the charts (large ones first, then the small over-time ones two to a
     * row) and the tables. {@code bin/lab compare} and {@code bin/lab chapter} both write theirs with it.
     */
    public static String page(String title, String incomplete, String verdict, Environment env, Charts charts, List<Tables.Table> tables) {
        StringBuilder h = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8">
                <title>TITLE</title>
                <style>
                body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }
                table { border-collapse: collapse; margin: 1em 0; font-size: 0.85em; }
                th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: right; }
                th { background: #f2f2f2; } td:first-child, th:first-child { text-align: left; }
                figure { margin: 2em 0; } figcaption { color: #555; font-size: 0.9em; max-width: 60em; }
                .small-charts { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1.5em; }
                .small-charts figure { margin: 1em 0; min-width: 0; }
                .u-title { font-size: 1em; } .u-legend { font-size: 0.85em; }
                .u-legend th, .u-legend td { border: none; background: none; padding: 0 0.2em; }
                .note { color: #555; } .incomplete { color: #a00; font-weight: bold; }
                """.replace("TITLE", esc(title)));
        h.append(resource(UPLOT + version() + "/dist/uPlot.min.css")).append("\n</style>\n<script>\n")
                .append(resource(UPLOT + version() + "/dist/uPlot.iife.min.js")).append("\n</script>\n</head><body>\n")
                .append("<h1>").append(esc(title)).append("</h1>\n");
        if (incomplete != null) {
            h.append("<p class=\"incomplete\">").append(esc(incomplete)).append("</p>\n");
        }
        h.append("<p class=\"verdict\"><strong>Verdict: ").append(esc(verdict)).append("</strong></p>\n");
        h.append("<p class=\"note\">").append(esc(env.date)).append(" &middot; ").append(esc(env.cpuModel))
                .append(", ").append(env.cpus).append(" CPUs &middot; one system call ").append(esc(SyscallCost.describe(env.syscallCost)))
                .append(" &middot; ").append(esc(env.pinning)).append("</p>\n");
        h.append("<noscript><p class=\"incomplete\">The charts are drawn by JavaScript; without it, see the PNG files in charts/ "
                + "beside this page (linked from report.md).</p></noscript>\n");
        h.append("<h2>Charts</h2>\n<p class=\"note\">Hover a chart for its values; click a name in a legend to hide or show "
                + "that series; drag across a line chart to zoom in, double-click to zoom out.</p>\n");
        List<Charts.Chart> small = charts.all().stream().filter(Charts.Chart::small).toList();
        charts.large().forEach(c -> figure(h, c));
        if (!small.isEmpty()) {
            h.append("<h2>Over time</h2>\n<p class=\"note\">Each load case second by second, from the load generator's progress "
                    + "lines and the server's CPU sampled from /proc: the shaded seconds are the warm-up (not measured); "
                    + "dips are stalls, a flat zero is a server that stopped answering.</p>\n<div class=\"small-charts\">\n");
            small.forEach(c -> figure(h, c));
            h.append("</div>\n");
        }
        for (Tables.Table t : tables) {
            h.append("<h2>").append(esc(t.title())).append("</h2>\n");
            if (t.note() != null) {
                h.append("<p class=\"note\">").append(esc(t.note())).append("</p>\n");
            }
            h.append("<table><thead><tr>");
            t.headers().forEach(c -> h.append("<th>").append(esc(c)).append("</th>"));
            h.append("</tr></thead><tbody>\n");
            for (List<String> r : t.rows()) {
                h.append("<tr>");
                r.forEach(c -> h.append("<td>").append(esc(c)).append("</td>"));
                h.append("</tr>\n");
            }
            h.append("</tbody></table>\n");
        }
        h.append("<script type=\"application/json\" id=\"chart-data\">").append(json(charts.all())).append("</script>\n")
                .append("<script>\n").append(resource("dev/echolab/lab/report/report.js")).append("</script>\n");
        return h.append("</body></html>\n").toString();
    }

    private static void figure(StringBuilder h, Charts.Chart c) {
        h.append("<figure class=\"chart\" id=\"chart-").append(esc(c.name())).append("\"><div class=\"plot\"></div>");
        if (c.caption() != null) {
            h.append("<figcaption>").append(esc(c.caption())).append("</figcaption>");
        }
        h.append("</figure>\n");
    }

    /** The chart data as JSON that cannot end the script element it sits in. */
    private static String json(List<Charts.Chart> charts) {
        try {
            return JSON.writeValueAsString(charts).replace("</", "<\\/");
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The uPlot WebJar's version, from its Maven metadata, so that the path follows the dependency. */
    private static String version() {
        Properties p = new Properties();
        try (InputStream in = stream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version");
    }

    private static String resource(String path) {
        try (InputStream in = stream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream stream(String path) throws IOException {
        InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(path);
        if (in == null) {
            throw new IOException("missing from the classpath: " + path + " (a broken build?)");
        }
        return in;
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
