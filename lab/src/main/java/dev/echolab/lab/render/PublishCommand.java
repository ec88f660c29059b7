package dev.echolab.lab.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echolab.common.Children;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code bin/lab publish}: runs every measurement the docs publish, each as the lab runs it (its
 * verdict, disturbed cases run again), keeps each run's results.json under {@code docs/data/NAME/}
 * (less the per-second curves and latency spectra, which no doc draws), then renders the docs from
 * them ({@link RenderCommand}). {@code --quick} runs the same commands on a tiny configuration,
 * to prove the chain end to end in a minute; its data says so.
 */
@Command(name = "publish", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the measurements the docs publish, keep them in docs/data and render the docs from them.",
                "Run it on a quiet machine: every case is judged, and disturbed ones are run again."})
public final class PublishCommand implements Callable<Integer> {

    /** One published dataset: the lab command that makes it, full and quick, and how many runs of it. */
    public record Publication(String dataset, int runs, List<String> full, List<String> quick) {
    }

    static final List<Publication> PUBLICATIONS = List.of(
            new Publication("compare", 1,
                    List.of("compare", "--backends", "all", "--peers", "all", "--connections", "50,500", "--work", "none",
                            "--repeat", "2", "--duration", "3s", "--warmup", "2s", "--idle", "1000"),
                    List.of("compare", "--backends", "all", "--peers", "c-epoll", "--connections", "500", "--work", "none",
                            "--repeat", "2", "--duration", "1s", "--warmup", "1s", "--idle", "1000")),
            new Publication("chapter", 2,
                    List.of("chapter", "--duration", "3s", "--warmup", "2s"),
                    List.of("chapter", "--runtimes", "nio,py-threads",
                            "--duration", "1s", "--warmup", "1s")),
            new Publication("sweep", 1,
                    List.of("sweep", "--backends", "nio,virtual,blocking", "--peers", "c-epoll,py-asyncio,py-threads,gevent",
                            "--connections", "50", "--duration", "2s", "--warmup", "1s"),
                    List.of("sweep", "--backends", "nio", "--peers", "c-epoll", "--connections", "50", "--max-steps", "3",
                            "--duration", "1s", "--warmup", "1s")));

    @Option(names = "--quick", description = "The same commands on a tiny configuration: proves the chain, publishes nothing worth reading.")
    boolean quick;

    @Option(names = "--only", split = ",", paramLabel = "NAME,...", description = "Only these datasets (compare, chapter, sweep).")
    List<String> only;

    @Option(names = "--root", paramLabel = "DIR", description = "The repository whose docs/data to refresh (default: this one).")
    Path root;

    @Option(names = "--verbose", description = "Stack traces for unexpected failures.")
    boolean verbose;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path home = Path.of(System.getProperty("echolab.home", ".")).toAbsolutePath().normalize();
        Path dir = root != null ? root.toAbsolutePath().normalize() : home;
        long start = System.nanoTime();
        for (Publication p : PUBLICATIONS) {
            if (only != null && !only.contains(p.dataset())) {
                continue;
            }
            long t0 = System.nanoTime();
            List<Path> runs = new ArrayList<>();
            for (int i = 1; i <= p.runs(); i++) {
                Path outDir = dir.resolve("target/publish").resolve(p.dataset() + "-" + i);
                List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/lab").toString()));
                cmd.addAll(quick ? p.quick() : p.full());
                cmd.addAll(List.of("--out", outDir.toString()));
                out.println("publish " + p.dataset() + (p.runs() > 1 ? " run " + i + " of " + p.runs() : "") + ": " + String.join(" ", cmd));
                int rc = Children.start(new ProcessBuilder(cmd).inheritIO()).waitFor();
                if (rc != 0) {
                    out.println("publish " + p.dataset() + ": bin/lab exited " + rc + "; docs/data/" + p.dataset() + " left as it was");
                    return 1;
                }
                runs.add(outDir.resolve("results.json"));
            }
            double minutes = (System.nanoTime() - t0) / 60e9;
            keep(dir.resolve("docs/data").resolve(p.dataset()), runs, quick ? "quick" : "full", minutes);
            out.printf("publish %s: %.1f minutes; kept in docs/data/%s%n", p.dataset(), minutes, p.dataset());
        }
        RenderCommand.run(new Docs(dir), false, out);
        out.printf("publish: %.1f minutes in all%n", (System.nanoTime() - start) / 60e9);
        return 0;
    }

    static String withoutOut(String command) {
        return command.replaceAll("\\s--out(=|\\s+)\\S+", "");
    }

    /** The runs' results.json into {@code target}, replacing what was there, with how they were published. */
    static void keep(Path target, List<Path> runs, String scale, double minutes) throws IOException {
        if (Files.isDirectory(target)) {
            try (Stream<Path> s = Files.walk(target)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        for (int i = 0; i < runs.size(); i++) {
            ObjectNode json = (ObjectNode) Dataset.JSON.readTree(runs.get(i).toFile());
            for (JsonNode c : json.withArray("cases")) {
                ((ObjectNode) c).remove(List.of("timeline", "latency_spectrum"));
            }
            // where this machine kept the run is no part of the command to repeat it
            if (json.get("command") != null) {
                json.put("command", withoutOut(json.get("command").asText()));
            }
            ObjectNode env = (ObjectNode) json.get("environment");
            env.put("command", withoutOut(env.path("command").asText()));
            ObjectNode publish = json.putObject("publish");
            publish.put("scale", scale);
            publish.put("minutes", Math.round(minutes * 10) / 10.0);
            Path file = (runs.size() == 1 ? target : target.resolve(String.valueOf(i + 1))).resolve("results.json");
            Files.createDirectories(file.getParent());
            Dataset.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
        }
    }
}
