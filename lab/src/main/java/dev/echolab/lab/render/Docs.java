package dev.echolab.lab.render;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The docs' generated parts, found by their markers and made again from {@code docs/data}: blocks
 * ({@code <!-- render:VIEW data=NAME ... -->} up to {@code <!-- /render -->}, see {@link Views}) and
 * inline figures ({@code <!-- fig ... -->VALUE<!-- /fig -->}, see {@link Figures}). Everything
 * outside the markers is left as it is, so rendering twice changes nothing.
 */
final class Docs {

    static final Pattern BLOCK = Pattern.compile("<!-- render:(\\S+)((?: [\\w-]+=\\S+)*) -->\\n(.*?)<!-- /render -->", Pattern.DOTALL);
    static final Pattern FIGURE = Pattern.compile("<!-- fig ([^>]*?) -->([^<\\n]*)<!-- /fig -->");

    /** A generated part that differs from what its data makes. */
    record Difference(Path doc, int line, String what) {
        @Override
        public String toString() {
            return doc + ":" + line + ": " + what + " differs from its data";
        }
    }

    /** One doc rendered: its new text, what differed, the images to draw again, and every image its blocks show. */
    record Rendered(String text, List<Difference> differences, Map<Path, Picture> images, Set<Path> charts) {
    }

    private final Path root;
    private final Datasets data;

    Docs(Path root) {
        this.root = root;
        this.data = new Datasets(root.resolve("docs/data"));
    }

    Path root() {
        return root;
    }

    /** README.md and every Markdown file under docs/. */
    List<Path> files() throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isRegularFile(root.resolve("README.md"))) {
            files.add(root.resolve("README.md"));
        }
        try (Stream<Path> s = Files.walk(root.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        return files;
    }

    Rendered render(Path doc, String text) {
        List<Difference> diffs = new ArrayList<>();
        Map<Path, Picture> images = new LinkedHashMap<>();
        Set<Path> charts = new HashSet<>();
        Path rel = root.relativize(doc);
        StringBuilder out = new StringBuilder();
        Matcher m = BLOCK.matcher(text);
        int at = 0;
        while (m.find()) {
            out.append(figures(rel, text, at, m.start(), diffs));
            String view = m.group(1);
            Map<String, String> opts = options(m.group(2));
            String made;
            Map<Path, Picture> drawn = new LinkedHashMap<>();
            try {
                made = block(doc, view, opts, drawn);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(rel + ":" + line(text, m.start()) + ": block render:" + view + ": " + e.getMessage());
            }
            boolean same = made.equals(m.group(3));
            charts.addAll(drawn.keySet());
            drawn.forEach((png, chart) -> {
                if (!same || !Files.isRegularFile(png)) {
                    images.put(png, chart); // otherwise drawn already, from these very numbers
                }
            });
            if (!same) {
                diffs.add(new Difference(rel, line(text, m.start()), "block render:" + view + m.group(2)));
            }
            out.append(text, m.start(), m.start(3)).append(made).append("<!-- /render -->");
            at = m.end();
        }
        out.append(figures(rel, text, at, text.length(), diffs));
        return new Rendered(out.toString(), diffs, images, charts);
    }

    private String figures(Path rel, String text, int from, int to, List<Difference> diffs) {
        StringBuilder out = new StringBuilder();
        Matcher f = FIGURE.matcher(text).region(from, to);
        int at = from;
        while (f.find()) {
            String value;
            try {
                value = Figures.figure(f.group(1), data);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(rel + ":" + line(text, f.start()) + ": " + e.getMessage());
            }
            if (!value.equals(f.group(2))) {
                diffs.add(new Difference(rel, line(text, f.start()), "figure '" + f.group(1) + "' (" + f.group(2) + ", data says " + value + ")"));
            }
            out.append(text, at, f.start(2)).append(value).append("<!-- /fig -->");
            at = f.end();
        }
        return out.append(text, at, to).toString();
    }

    private String block(Path doc, String view, Map<String, String> opts, Map<Path, Picture> images) {
        if (view.equals("publications")) {
            return Views.publications();
        }
        if (view.equals("loadgen-ref")) {
            return Views.loadgenRef(root.resolve("docs/data").resolve(require(opts, "data")), doc.getParent());
        }
        if (view.equals("ref")) {
            return Views.ref(root.resolve("docs/data").resolve(require(opts, "data")), doc.getParent());
        }
        if (view.equals("chaos")) {
            return Views.chaos(root.resolve("docs/data").resolve(require(opts, "data")), doc.getParent());
        }
        Dataset d = data.get(require(opts, "data"));
        return switch (view) {
            case "source" -> Views.source(d, doc.getParent(), root.resolve("docs/data"));
            case "cpu" -> Views.cpu(d, opts.getOrDefault("work", "none"));
            case "idle" -> Views.idle(d);
            case "kernel" -> Views.kernel(d, opts.getOrDefault("work", "none"), opts.get("connections"));
            case "chapter" -> Views.chapter(d, require(opts, "experiment"));
            case "switch" -> Views.switches(d);
            case "sweep" -> Views.sweep(d);
            case "chart" -> {
                Picture chart = d.first().has("models") ? SweepChart.of(d) : CpuChart.of(d, opts.getOrDefault("work", "none"));
                if (chart.empty()) {
                    yield "No chart: dataset " + d.name() + " has no figure to draw (the lab judged every load case disturbed, or none was measured).\n";
                }
                Path png = root.resolve("docs/images").resolve(require(opts, "name") + ".png");
                images.put(png, chart);
                String link = doc.getParent().relativize(png).toString().replace('\\', '/');
                yield "![" + chart.title() + "](" + link + ")\n<!-- chart data " + chart.digest() + " -->\n";
            }
            default -> throw new IllegalArgumentException("unknown view (valid: publications, source, cpu, kernel, idle, chapter, switch, sweep, chart, chaos, ref, loadgen-ref)");
        };
    }

    private static String require(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null) {
            throw new IllegalArgumentException("say " + key + "=...");
        }
        return v;
    }

    private static Map<String, String> options(String text) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (String w : text.strip().split(" ")) {
            if (!w.isEmpty()) {
                opts.put(w.substring(0, w.indexOf('=')), w.substring(w.indexOf('=') + 1));
            }
        }
        return opts;
    }

    private static int line(String text, int offset) {
        int n = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }
}
