package dev.echolab.lab.run;

import dev.echolab.common.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --retries N}: how often a case the lab judges disturbed ({@link Verdict}) is run again,
 * shared by the commands that run cases (a picocli mixin); each command gives its own default.
 */
public final class RetriesOption {

    @Option(names = "--retries", paramLabel = "N",
            description = "Runs again a case the lab judges disturbed (the machine busy with something else), "
                    + "at most N times; one still disturbed is kept and marked (default: ${DEFAULT-VALUE}).")
    int retries;

    public RetriesOption(int byDefault) {
        this.retries = byDefault;
    }

    public int retries() {
        return retries;
    }

    /** A usage error (exit 2) for a negative count. */
    public void check(CommandLine cl) {
        if (retries < 0) {
            throw Cli.invalid(cl, "--retries", "a number of reruns (0 or more)");
        }
    }
}
