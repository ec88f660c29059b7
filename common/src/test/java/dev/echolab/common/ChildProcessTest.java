package dev.echolab.common;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChildProcessTest {

    private static ProcessBuilder sh(String script) {
        return new ProcessBuilder("sh", "-c", script);
    }

    @Test
    @Timeout(30)
    void readsBothStreamsWaitsForTheReadyLineAndStopsWithSigterm() throws Exception {
        List<String> out = new CopyOnWriteArrayList<>();
        List<String> err = new CopyOnWriteArrayList<>();
        try (ChildProcess c = ChildProcess.start(sh("echo starting; echo oops >&2; echo ready 42; exec sleep 30"),
                line -> line.startsWith("ready "), out::add, err::add)) {
            assertEquals("ready 42", c.awaitReady(Duration.ofSeconds(10)));
            assertEquals(List.of("starting", "ready 42"), out);
            assertTrue(c.isAlive());
            assertEquals(143, c.stop(Duration.ofSeconds(10)), "SIGTERM: 128 + 15");
            assertEquals(List.of("oops"), err);
            assertEquals(List.of("oops"), c.lastLines(), "the error output's last lines");
        }
    }

    @Test
    @Timeout(30)
    void aChildThatEndsOrHangsBeforeItIsReadySaysSo() throws Exception {
        try (ChildProcess c = ChildProcess.start(sh("echo why >&2; exit 3").redirectErrorStream(true),
                line -> line.equals("ready"), null, null)) {
            ChildProcess.NotReadyException e = assertThrows(ChildProcess.NotReadyException.class,
                    () -> c.awaitReady(Duration.ofSeconds(10)));
            assertFalse(e.timedOut());
            assertEquals("exited before it was ready (status 3)", e.getMessage());
            assertEquals(List.of("why"), e.output());
        }
        try (ChildProcess c = ChildProcess.start(sh("exec sleep 30"), line -> true, null, null)) {
            ChildProcess.NotReadyException e = assertThrows(ChildProcess.NotReadyException.class,
                    () -> c.awaitReady(Duration.ofMillis(200)));
            assertTrue(e.timedOut());
            assertTrue(c.send("ignored"), "a running child takes input");
            assertNull(c.awaitExit(Duration.ofMillis(10)), "still running");
        }
    }
}
