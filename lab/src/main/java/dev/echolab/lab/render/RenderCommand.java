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
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code bin/lab render}: makes every generated table, figure and chart of README.md and docs/
 * again from {@code docs/data} ({@link Docs}); {@code --check} changes nothing and exits 1 naming
 * each file, line and block that differs from its data.
 */
@Command(name = "render", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Make the docs' tables, figures and charts again from docs/data.",
                "--check: change nothing; exit 1 and name every block that differs from its data."})
public final class RenderCommand implements Callable<Integer> {

    @Option(names = "--check", description = "Compare instead of writing; exit 1 when a doc differs from its data.")
    boolean check;

    @Option(names = "--root", paramLabel = "DIR", description = "The repository to render (default: this one).")
    Path root;

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
            out.println(e.getMessage());
            return 2;
        }
        return check && !diffs.isEmpty() ? 1 : 0;
    }

    /** Renders (or with {@code check} compares) every doc; returns what differed. */
    static List<Docs.Difference> run(Docs docs, boolean check, PrintStream out) throws IOException {
        List<Docs.Difference> diffs = new ArrayList<>();
        int changed = 0;
        for (Path f : docs.files()) {
            Docs.Rendered r = docs.render(f, Files.readString(f));
            diffs.addAll(r.differences());
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
            for (Map.Entry<Path, CpuChart> e : r.images().entrySet()) {
                Files.createDirectories(e.getKey().getParent());
                Files.write(e.getKey(), e.getValue().png());
                out.println("drew " + docs.root().relativize(e.getKey()));
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
