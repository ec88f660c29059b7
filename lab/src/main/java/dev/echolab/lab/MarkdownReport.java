package dev.echolab.lab;

import java.util.List;

/** {@code report.md}: the tables, and links to the chart images beside it. */
final class MarkdownReport {

    private MarkdownReport() {
    }

    static String render(Environment env, List<Summary> rows, List<CaseResult> cases, Charts charts, String incomplete) {
        StringBuilder md = new StringBuilder("# echolab: IO models compared\n\n");
        if (incomplete != null) {
            md.append("> **").append(incomplete).append("**\n\n");
        }
        md.append("**Verdict: ").append(Verdict.overall(cases)).append("**\n\n");
        for (Tables.Table t : Tables.build(env, rows, cases)) {
            md.append("## ").append(t.title()).append("\n\n");
            if (t.note() != null) {
                md.append(t.note()).append("\n\n");
            }
            md.append(row(t.headers()));
            md.append("|").append(" --- |".repeat(t.headers().size())).append('\n');
            t.rows().forEach(r -> md.append(row(r)));
            md.append('\n');
        }
        md.append("## Charts\n\n");
        for (Charts.Chart c : charts.large()) {
            md.append("### ").append(c.title()).append("\n\n").append(c.caption()).append("\n\n")
                    .append("![").append(c.title()).append("](charts/").append(c.name()).append(".png)\n\n");
        }
        if (charts.all().size() > charts.large().size()) {
            md.append("msgs/s and server CPU second by second, for every load case: in report.html (interactive charts).\n");
        }
        return md.toString();
    }

    private static String row(List<String> cells) {
        StringBuilder sb = new StringBuilder("|");
        for (String c : cells) {
            sb.append(' ').append(c.replace("|", "\\|").replace("\n", " ")).append(" |");
        }
        return sb.append('\n').toString();
    }
}
