package dev.echolab.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The C reference server ({@code ref-echo.c} from the shared bench kit, {@code ../shared/bench}
 * beside the repository or {@code $ECHOLAB_BENCH}), compiled with gcc into the output folder.
 * It marks the ceiling of one core; it is a reference, not a backend.
 */
final class RefEcho {

    private RefEcho() {
    }

    /** The built binary, or null (with one line saying why) when it cannot be had. */
    static Path build(Path home, Path outDir, PrintStream log) {
        String bench = System.getenv("ECHOLAB_BENCH");
        Path source = (bench != null ? Path.of(bench) : home.resolveSibling("shared").resolve("bench")).resolve("ref-echo.c");
        if (!Files.isReadable(source)) {
            log.println("reference skipped: " + source + " not found (set ECHOLAB_BENCH to the bench folder)");
            return null;
        }
        Path binary = outDir.resolve("ref-echo");
        try {
            Process gcc = new ProcessBuilder(List.of("gcc", "-O2", "-o", binary.toString(), source.toString(), "-pthread"))
                    .redirectErrorStream(true).start();
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
