package dev.echolab.lab;

import dev.echolab.common.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/lab}: the study. {@code bin/lab compare} runs every IO model under the same load. */
@Command(name = "lab", mixinStandardHelpOptions = true, version = "echolab lab",
        description = "Study the IO models side by side.",
        subcommands = {CompareCommand.class})
public final class LabCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(Cli.commandLine(new LabCommand(), System.out, System.err).execute(args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say what to do: bin/lab compare [options]");
    }
}
