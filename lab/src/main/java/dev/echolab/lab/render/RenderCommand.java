package dev.echolab.lab.render;

import dev.echolab.common.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code bin/lab render}: makes every generated table, figure and chart of README.md and docs/
 * again from {@code docs/data} ({@link Docs}); {@code --check} changes nothing and exits 1 naming
 * each file, line and block that differs from its data. {@code docs/images} holds only the charts
 * the blocks draw: a PNG no block shows is removed (or, checking, reported).
 */
@Command(name = "render", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Make the docs' tables, figures and charts again from docs/data.",
                "--check: change nothing; exit 1 and name every block that differs from its data."})
public final class RenderCommand implements Callable<Integer> {

    @Option(names = "--check", description = "Compare instead of writing; exit 1 when a doc differs from its data.")
    boolean check;

    @Option(names = "--root", paramLabel = "DIR", description = "The repository to render (default: this one).")
    Path root;

    @Option(names = "--verbose", description = "Stack traces for unexpected failures.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream out;

    public RenderCommand() {
        this(System.out);
    }

    RenderCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws IOException {
        Path dir = root != null ? root : Path.of(System.getProperty("echolab.home", "."));
        if (!Files.isDirectory(dir.resolve("docs"))) {
            throw Cli.invalidValue(spec.commandLine(), "--root", dir + " has no docs/ folder");
        }
        List<Docs.Difference> diffs;
        try {
            diffs = run(new Docs(dir.toAbsolutePath().normalize()), check, out);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println(e.getMessage()); // a marker the docs got wrong: one line, naming file and line
            return 2;
        }
        return check && !diffs.isEmpty() ? 1 : 0;
    }

    private static List<Path> stale(Path images, Set<Path> shown) throws IOException {
        if (!Files.isDirectory(images)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(images)) {
            return s.filter(p -> p.toString().endsWith(".png") && !shown.contains(p)).sorted().toList();
        }
    }

    /** Renders (or with {@code check} compares) every doc; returns what differed. */
    static List<Docs.Difference> run(Docs docs, boolean check, PrintStream out) throws IOException {
        List<Docs.Difference> diffs = new ArrayList<>();
        Set<Path> shown = new HashSet<>();
        int changed = 0;
        for (Path f : docs.files()) {
            Docs.Rendered r = docs.render(f, Files.readString(f));
            diffs.addAll(r.differences());
            shown.addAll(r.charts());
            if (check) {
                for (Path png : r.images().keySet()) {
                    if (!Files.isRegularFile(png)) {
                        diffs.add(new Docs.Difference(docs.root().relativize(f), 0, "image " + docs.root().relativize(png) + " (missing)"));
                    }
                }
                continue;
            }
            if (!r.differences().isEmpty()) {
                Files.writeString(f, r.text());
                changed++;
            }
            for (Map.Entry<Path, Picture> e : r.images().entrySet()) {
                Files.createDirectories(e.getKey().getParent());
                Files.write(e.getKey(), e.getValue().png());
                out.println("drew " + docs.root().relativize(e.getKey()));
            }
        }
        // a chart no block shows any more was drawn from data that is gone: it goes too
        for (Path png : stale(docs.root().resolve("docs/images"), shown)) {
            if (check) {
                diffs.add(new Docs.Difference(docs.root().relativize(png), 0, "image drawn by no render:chart block"));
            } else {
                Files.delete(png);
                out.println("removed " + docs.root().relativize(png) + ": no block draws it");
            }
        }
        if (check) {
            diffs.forEach(out::println);
            out.println(diffs.isEmpty() ? "every generated block and figure matches docs/data"
                    : diffs.size() + " generated parts differ from docs/data: run bin/lab render");
        } else {
            out.println(changed == 0 ? "nothing to change: the docs match docs/data" : "rendered " + changed + " docs from docs/data");
        }
        return diffs;
    }
}
