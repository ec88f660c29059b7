package dev.echolab.lab;

import dev.echolab.client.ClientCommand;
import dev.echolab.common.Cli;
import dev.echolab.loadgen.LoadgenCommand;
import dev.echolab.server.ServerCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every command's and subcommand's {@code --help}, as a user reads it: defaults as they would type
 * them (no {@code [a, b]} lists, no {@code PT3S}), each subcommand's line in its parent's list a whole
 * sentence, and the same exit-status lines everywhere ({@link Cli#EXIT_STATUS}).
 */
class HelpTextsTest {

    private static final PrintStream NOWHERE = new PrintStream(OutputStream.nullOutputStream());

    static List<CommandLine> everyCommand() {
        List<CommandLine> all = new ArrayList<>();
        for (CommandLine root : List.of(ServerCommand.commandLine(new ServerCommand()), LoadgenCommand.commandLine(new LoadgenCommand()),
                ClientCommand.commandLine(new ClientCommand()), LabCommand.commandLine(new LabCommand(), NOWHERE, NOWHERE))) {
            add(root, all);
        }
        return all;
    }

    private static void add(CommandLine cl, List<CommandLine> all) {
        all.add(cl);
        cl.getSubcommands().values().forEach(sub -> add(sub, all));
    }

    @Test
    void defaultsAreShownAsAUserTypesThem() {
        Pattern list = Pattern.compile("default: \\[");
        Pattern isoDuration = Pattern.compile("\\bPT[0-9]");
        for (CommandLine cl : everyCommand()) {
            String help = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
            String name = cl.getCommandSpec().qualifiedName();
            Matcher m = list.matcher(help);
            if (m.find()) {
                fail(name + " shows a list default: ..." + help.substring(Math.max(0, m.start() - 120), Math.min(help.length(), m.end() + 40)));
            }
            assertTrue(!isoDuration.matcher(help).find(), name + " shows a duration as Java prints it:\n" + help);
        }
    }

    @Test
    void eachSubcommandIsListedWithAWholeSentence() {
        int checked = 0;
        for (CommandLine cl : everyCommand()) {
            if (cl.getParent() == null) {
                continue;
            }
            String[] description = cl.getCommandSpec().usageMessage().description();
            String listed = description.length == 0 ? "" : description[0].strip();
            assertTrue(listed.endsWith("."), cl.getCommandSpec().qualifiedName() + " is listed as '" + listed
                    + "': the first line of its description must be a whole sentence");
            checked++;
        }
        assertTrue(checked >= 12, "the lab's, the probe's and the load generator's subcommands: " + checked);
    }

    @Test
    void everyCommandListsTheSameExitStatuses() {
        for (CommandLine cl : everyCommand()) {
            String help = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
            int at = help.indexOf("Exit status:");
            assertTrue(at >= 0, cl.getCommandSpec().qualifiedName() + " has no exit-status section:\n" + help);
            String section = help.substring(at).replaceAll("\\s+", " ");
            for (var e : Cli.EXIT_STATUS.entrySet()) {
                assertTrue(section.contains(e.getKey() + " " + e.getValue()), cl.getCommandSpec().qualifiedName()
                        + " lacks '" + e.getKey() + " " + e.getValue() + "' in: " + section);
            }
            assertEquals(1, help.split("Exit status:", -1).length - 1, "one section");
        }
    }

    @Test
    void everyCommandSaysTheProjectsVersion() {
        for (CommandLine cl : everyCommand()) {
            String[] version = cl.getCommandSpec().version();
            String name = cl.getCommandSpec().qualifiedName();
            assertEquals("echolab " + name + " " + Cli.projectVersion(), version[0], name);
            assertTrue(version[1].startsWith("JDK ") && version[1].endsWith(Runtime.version().toString()), name + ": " + version[1]);
        }
    }
}
