package dev.echolab.lab;

import java.util.List;

/**
 * {@code report.html}: one self-contained page (charts embedded as PNG data, no scripts, no
 * network), so it opens offline and can be mailed around as one file.
 */
final class HtmlReport {

    private HtmlReport() {
    }

    static String render(Environment env, List<Summary> rows, List<CaseResult> cases, Charts charts, String incomplete) {
        StringBuilder h = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8">
                <title>echolab: IO models compared</title>
                <style>
                body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
                table { border-collapse: collapse; margin: 1em 0; font-size: 0.85em; }
                th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: right; }
                th { background: #f2f2f2; } td:first-child, th:first-child { text-align: left; }
                figure { margin: 2em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
                .note { color: #555; } .incomplete { color: #a00; font-weight: bold; }
                </style></head><body>
                <h1>echolab: IO models compared</h1>
                """);
        if (incomplete != null) {
            h.append("<p class=\"incomplete\">").append(esc(incomplete)).append("</p>\n");
        }
        h.append("<p class=\"verdict\"><strong>Verdict: ").append(esc(Verdict.overall(cases))).append("</strong></p>\n");
        h.append("<p class=\"note\">").append(esc(env.date)).append(" &middot; ").append(esc(env.cpuModel))
                .append(", ").append(env.cpus).append(" CPUs &middot; ").append(esc(env.pinning)).append("</p>\n");
        h.append("<h2>Charts</h2>\n");
        for (Charts.Image i : charts.images()) {
            h.append("<figure class=\"chart\" id=\"chart-").append(i.name()).append("\"><img alt=\"").append(esc(i.title()))
                    .append("\" src=\"").append(i.dataUri()).append("\"><figcaption>").append(esc(i.caption()))
                    .append("</figcaption></figure>\n");
        }
        for (Tables.Table t : Tables.build(env, rows, cases)) {
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
        return h.append("</body></html>\n").toString();
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
