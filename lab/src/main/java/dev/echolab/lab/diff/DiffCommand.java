package dev.echolab.lab.diff;

import dev.echolab.common.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code bin/lab diff OLD NEW}: is NEW slower than OLD beyond the noise the runs themselves show?
 * The rule is {@link Judgement}'s.
 */
@Command(name = "diff", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare two runs case by case: two results.json of bin/lab compare, or two --json reports of bin/loadgen.",
                "A change is a regression only when NEW is worse beyond the spread of the runs' own repetitions "
                        + "(or --min-spread) and every counted repetition of NEW is worse than every one of OLD; "
                        + "disturbed or failed cases are not judged."})
public final class DiffCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "OLD", description = "The run to compare against.")
    Path old;

    @Parameters(index = "1", paramLabel = "NEW", description = "The run to judge.")
    Path now;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the table as JSON to FILE.")
    Path json;

    @Option(names = "--min-spread", paramLabel = "PCT", defaultValue = "10",
            description = "The least spread a case is allowed, in percent; also the spread of a case measured once (default: ${DEFAULT-VALUE}).")
    double minSpreadPct;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream out;

    public DiffCommand() {
        this(System.out);
    }

    DiffCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        if (minSpreadPct < 0 || minSpreadPct >= 100) {
            throw Cli.invalid(cl, "--min-spread", "a percentage from 0 to below 100");
        }
        Side oldSide = side(cl, "OLD", old);
        Side newSide = side(cl, "NEW", now);
        if (oldSide.kind() != newSide.kind()) {
            throw new CommandLine.ParameterException(cl, "NEW: '" + now + "' is " + newSide.kind().what + " but OLD is "
                    + oldSide.kind().what + "; compare two of a kind");
        }
        double minSpread = minSpreadPct / 100;
        DiffReport report = DiffReport.of(old, now, minSpread, Judgement.of(oldSide, newSide, minSpread));
        out.print(report.table());
        if (json != null) {
            try {
                report.write(json);
            } catch (IOException e) {
                throw new Cli.Failure("--json: cannot write " + json + ": " + e.getMessage());
            }
        }
        return report.regressions() > 0 ? Cli.MISSED : Cli.OK;
    }

    /** The file named by {@code argument}, read; a missing or foreign file is bad usage naming the argument. */
    private static Side side(CommandLine cl, String argument, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CommandLine.ParameterException(cl, argument + ": no such file: '" + file + "'");
        }
        try {
            return Side.read(file);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, argument + ": '" + file + "' is " + e.getMessage());
        } catch (IOException e) {
            throw new CommandLine.ParameterException(cl, argument + ": cannot read '" + file + "': " + e.getMessage());
        }
    }
}
