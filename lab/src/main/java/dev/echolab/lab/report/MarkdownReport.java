package dev.echolab.lab.report;

import dev.echolab.lab.run.CaseResult;
import dev.echolab.lab.run.Summary;
import dev.echolab.lab.run.Verdict;
import java.util.Arrays;
import java.util.List;

/** {@code report.md}: the tables, and links to the chart images beside it. */
public final class MarkdownReport {

    private MarkdownReport() {
    }

    public static String render(Environment env, List<Summary> rows, List<CaseResult> cases, Charts charts, String incomplete) {
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
            md.append(table(t.headers(), t.rows())).append('\n');
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

    /** A Markdown table with its columns padded to one width, so that it reads as well on a terminal. */
    public static String table(List<String> headers, List<List<String>> rows) {
        int[] width = headers.stream().mapToInt(h -> Math.max(3, cell(h).length())).toArray();
        for (List<String> r : rows) {
            for (int i = 0; i < r.size(); i++) {
                width[i] = Math.max(width[i], cell(r.get(i)).length());
            }
        }
        StringBuilder sb = new StringBuilder(line(headers, width));
        sb.append(line(Arrays.stream(width).mapToObj("-"::repeat).toList(), width));
        rows.forEach(r -> sb.append(line(r, width)));
        return sb.toString();
    }

    private static String line(List<String> cells, int[] width) {
        StringBuilder sb = new StringBuilder("|");
        for (int i = 0; i < cells.size(); i++) {
            String c = cell(cells.get(i));
            sb.append(' ').append(c).append(" ".repeat(width[i] - c.length())).append(" |");
        }
        return sb.append('\n').toString();
    }

    private static String cell(String c) {
        return c.replace("|", "\\|").replace("\n", " ");
    }
}
