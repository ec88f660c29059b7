package dev.echolab.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bin/client} as a user runs it: a refused connection is one line and exit status 1. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientLauncherIT {

    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void refusedConnectionIsOneLineAndExitOne() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(ROOT.resolve("bin/client").toString(), "--port", String.valueOf(port), "--count", "2")
                .directory(ROOT.toFile()).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue());
        assertEquals("", out);
        assertEquals(List.of("connection refused: 127.0.0.1:" + port), err.lines().toList());
    }
}
