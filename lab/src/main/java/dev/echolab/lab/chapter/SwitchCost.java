package dev.echolab.lab.chapter;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.echolab.common.Children;
import dev.echolab.lab.peer.Peer;
import dev.echolab.lab.peer.Toolchain;
import dev.echolab.lab.peer.Toolchain.Tool;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The chapter says a coroutine switch is cheaper than a thread switch. This measures one switch in
 * each runtime the lab runs: Java's platform and virtual threads (JMH, {@link HandOff}), Python's
 * greenlets, gevent's hub and threads, Go's goroutines and C's POSIX threads (the programs in
 * {@code peers/switch/}, each a ping-pong between two tasks that prints one JSON line per kind).
 * A runtime whose toolchain is missing is one line saying what to install.
 */
final class SwitchCost {

    /** One switch, as every program prints it: {@code {"runtime", "kind", "cores", "rounds", "ns_per_switch"}}. */
    @com.fasterxml.jackson.databind.annotation.JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Switch(String runtime, String kind, int cores, long rounds, double nsPerSwitch) {
        private static final ObjectMapper JSON = new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

        static Switch parse(String line) throws IOException {
            return JSON.readValue(line, Switch.class);
        }

        String format() throws IOException {
            return JSON.writeValueAsString(this);
        }
    }

    /** The programs in peers/switch/ and what each needs. */
    private enum Program {
        C("switch-c", Tool.GCC, "peers/switch/switch.c"),
        GO("switch-go", Tool.GO, "peers/switch/go"),
        PYTHON("switch-py", Tool.PYTHON, "peers/switch/switch.py");

        final String id;
        final Tool tool;
        final String source;

        Program(String id, Tool tool, String source) {
            this.id = id;
            this.tool = tool;
            this.source = source;
        }
    }

    private static final long PROGRAM_TIMEOUT_S = 120;

    private final Path home;
    private final Path outDir;
    private final Toolchain toolchain;
    private final PrintStream log;
    private final Duration iteration;
    private final int iterations;
    private final double roundsScale;

    /**
     * @param iteration   one JMH iteration (warm-up and measurement alike)
     * @param iterations  measured JMH iterations (as many warm-up iterations, at least 1)
     * @param roundsScale the programs' ping-pong rounds, as a share of their defaults
     */
    SwitchCost(Path home, Path outDir, Toolchain toolchain, PrintStream log, Duration iteration, int iterations, double roundsScale) {
        this.home = home;
        this.outDir = outDir;
        this.toolchain = toolchain;
        this.log = log;
        this.iteration = iteration;
        this.iterations = iterations;
        this.roundsScale = roundsScale;
    }

    /** Every runtime's switches, Java's first; a runtime that could not run is left out after one line on the log. */
    List<Switch> measure() throws IOException, InterruptedException {
        List<Switch> all = new ArrayList<>(java());
        for (Program program : Program.values()) {
            all.addAll(run(program));
        }
        return all;
    }

    private List<Switch> java() {
        int cores = Runtime.getRuntime().availableProcessors();
        TimeValue time = TimeValue.milliseconds(iteration.toMillis());
        try {
            List<Switch> switches = new ArrayList<>();
            for (RunResult r : new Runner(new OptionsBuilder()
                    .include(HandOff.class.getName() + "\\.")
                    .forks(1)
                    .jvmArgsAppend("--sun-misc-unsafe-memory-access=allow") // JMH's own field offsets
                    .warmupIterations(Math.max(1, iterations)).warmupTime(time)
                    .measurementIterations(iterations).measurementTime(time)
                    .verbosity(VerboseMode.SILENT)
                    .build()).run()) {
                String method = r.getParams().getBenchmark().substring(HandOff.class.getName().length() + 1);
                double ns = r.getPrimaryResult().getScore();
                long rounds = HandOff.ROUNDS;
                switches.add(switch (method) {
                    case "platform" -> new Switch("java", "platform", cores, rounds, ns);
                    case "virtualOneCarrier" -> new Switch("java", "virtual", 1, rounds, ns);
                    case "virtual" -> new Switch("java", "virtual", cores, rounds, ns);
                    default -> throw new IllegalStateException("unknown benchmark " + method);
                });
            }
            return switches;
        } catch (RunnerException e) {
            log.println("switch java skipped: JMH failed (" + e.getMessage() + ")");
            return List.of();
        }
    }

    private List<Switch> run(Program program) throws IOException, InterruptedException {
        Optional<List<String>> command = Peer.prepare("switch " + program.id, program.id, program.tool,
                home.resolve(program.source), outDir, toolchain, log);
        if (command.isEmpty()) {
            return List.of();
        }
        List<String> argv = new ArrayList<>(command.get());
        argv.add("--rounds");
        argv.add(Long.toString(Math.max(1, Math.round(defaultRounds(program) * roundsScale))));
        Path output = outDir.resolve("switch").resolve(program.id + ".jsonl");
        Files.createDirectories(output.getParent());
        Process p = Children.start(new ProcessBuilder(argv).redirectOutput(output.toFile())
                .redirectError(output.resolveSibling(program.id + ".err").toFile()));
        p.getOutputStream().close();
        if (!p.waitFor(PROGRAM_TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            log.println("switch " + program.id + " skipped: did not finish within " + PROGRAM_TIMEOUT_S + " s");
            return List.of();
        }
        for (String line : Files.readAllLines(output.resolveSibling(program.id + ".err"))) {
            log.println("switch " + program.id + ": " + line); // e.g. gevent missing: its kinds are skipped
        }
        if (p.exitValue() != 0) {
            log.println("switch " + program.id + " skipped: exit status " + p.exitValue());
            return List.of();
        }
        List<Switch> switches = new ArrayList<>();
        for (String line : Files.readAllLines(output)) {
            if (!line.isBlank()) {
                switches.add(Switch.parse(line));
            }
        }
        return switches;
    }

    /** The rounds each program uses by default: about a second of ping-pong on one core. */
    private static long defaultRounds(Program program) {
        return switch (program) {
            case C -> 200_000;
            case GO -> 1_000_000;
            case PYTHON -> 200_000;
        };
    }
}
