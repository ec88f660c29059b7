package dev.echolab.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every launcher works as a user puts it on the PATH: through a symlink in another folder, run
 * from yet another working directory (each finds env.sh beside its real file, not beside the link).
 * In the lab module because it runs last: every launcher's jar is built by then.
 */
class LauncherSymlinkIT {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @ParameterizedTest
    @ValueSource(strings = {"server", "loadgen", "client", "lab"})
    void worksThroughASymlinkFromAnyDirectory(String launcher, @TempDir Path dir) throws Exception {
        Path link = Files.createDirectories(dir.resolve("bin")).resolve("echolab-" + launcher);
        Files.createSymbolicLink(link, ROOT.resolve("bin").resolve(launcher));
        Process p = new ProcessBuilder(link.toString(), "--help").directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.startsWith("Usage: "), out);
    }

    @Test
    void aLauncherThatIsNotALinkStillWorksFromAnotherDirectory(@TempDir Path dir) throws Exception {
        Process p = new ProcessBuilder(ROOT.resolve("bin/server").toString(), "--help").directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }
}
