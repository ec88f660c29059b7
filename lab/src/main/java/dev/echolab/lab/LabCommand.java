package dev.echolab.lab;

import dev.echolab.common.Cli;
import dev.echolab.lab.chapter.ChapterCommand;
import dev.echolab.lab.compare.CompareCommand;
import dev.echolab.lab.diff.DiffCommand;
import dev.echolab.lab.probe.ProbeCommand;
import dev.echolab.lab.render.PublishCommand;
import dev.echolab.lab.render.RenderCommand;
import dev.echolab.lab.sweep.SweepCommand;
import dev.echolab.loadgen.DriverKind;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;

/**
 * {@code bin/lab}: the study. {@code bin/lab compare} runs every IO model under the same load;
 * {@code bin/lab chapter} measures the chapter's experiments (the GIL, IO- vs CPU-bound, processes vs threads);
 * {@code bin/lab sweep} draws latency against offered load; {@code bin/lab probe} tells scripts
 * what the lab knows (a server's ready port, /proc samples).
 */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = "Study the IO models side by side.",
        subcommands = {CompareCommand.class, DiffCommand.class, ChapterCommand.class, SweepCommand.class, ProbeCommand.class,
                RenderCommand.class, PublishCommand.class})
public final class LabCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine(new LabCommand(), System.out, System.err).execute(args));
    }

    /** {@code bin/lab}, or one of its subcommands on its own (for tests), with the shared converters. */
    public static CommandLine commandLine(Object command, PrintStream out, PrintStream err) {
        CommandLine cl = Cli.commandLine(command, out, err);
        cl.registerConverter(DriverKind.class, Cli.byId(DriverKind.class, "driver"));
        return cl;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say what to do: bin/lab compare, chapter, sweep or probe [options]");
    }
}
