package dev.echolab.lab;

import dev.echolab.common.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --version} and {@code -V} through the launchers, a command and a subcommand of each: the
 * project's version from the build and the JDK. (HelpTextsTest checks every subcommand has one.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VersionIT {

    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void everyLauncherAndASubcommandSayTheBuildsVersionAndTheJdk() throws Exception {
        String version = Cli.projectVersion();
        assertTrue(version.matches("\\d+\\.\\d+\\.\\d+.*"), "the build filled in the version: " + version);
        for (List<String> command : List.of(List.of("server", "--version"), List.of("loadgen", "merge", "-V"),
                List.of("client", "--version"), List.of("lab", "diff", "--version"))) {
            List<String> argv = new ArrayList<>(command);
            argv.set(0, ROOT.resolve("bin").resolve(command.getFirst()).toString());
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            String name = String.join(" ", command.subList(0, command.size() - 1));
            assertEquals(List.of("echolab " + name + " " + version,
                    "JDK " + System.getProperty("java.vendor") + " " + Runtime.version()), out.lines().toList(), String.join(" ", command));
        }
    }
}
