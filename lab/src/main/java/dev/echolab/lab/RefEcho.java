package dev.echolab.lab;

import dev.echolab.common.Children;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The C reference server: {@code ref-echo.c} from a reference kit kept outside this repository,
 * found only where {@code $ECHOLAB_BENCH} says, compiled with gcc into the output folder. It marks
 * the ceiling of one core; it is a reference, not a backend. Without a kit the comparison runs
 * without it and says so.
 */
final class RefEcho {

    /** ref-echo's own ready line, on stderr: {@code ref-echo: listening on 127.0.0.1:PORT with 1 thread(s)}. */
    private static final Pattern READY = Pattern.compile("ref-echo: listening on \\S+:(\\d+).*");

    private RefEcho() {
    }

    /** The port in ref-echo's ready line, or empty for any other line. */
    static Optional<Integer> readyPort(String line) {
        Matcher m = READY.matcher(line);
        return m.matches() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }

    /** The built binary, or null (with one line saying why) when it cannot be had. */
    static Path build(Path outDir, PrintStream log) {
        String bench = System.getenv("ECHOLAB_BENCH");
        if (bench == null || bench.isBlank()) {
            log.println("reference skipped: no reference kit (set ECHOLAB_BENCH to a folder with ref-echo.c)");
            return null;
        }
        Path source = Path.of(bench).resolve("ref-echo.c");
        if (!Files.isReadable(source)) {
            log.println("reference skipped: " + source + " not found (ECHOLAB_BENCH names a folder with ref-echo.c)");
            return null;
        }
        Path binary = outDir.resolve("ref-echo");
        try {
            Process gcc = Children.start(new ProcessBuilder(List.of("gcc", "-O2", "-o", binary.toString(), source.toString(), "-pthread"))
                    .redirectErrorStream(true));
            String output = new String(gcc.getInputStream().readAllBytes());
            if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
                log.println("reference skipped: gcc failed: " + output.lines().findFirst().orElse(""));
                return null;
            }
            return binary;
        } catch (IOException e) {
            log.println("reference skipped: gcc not available (" + e.getMessage() + ")");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
