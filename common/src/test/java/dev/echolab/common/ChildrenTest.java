package dev.echolab.common;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Children} on short-lived shell children: what a child gets, and how stopAll ends them. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChildrenTest {

    @Test
    void aChildRunsTheBuildersCommandInItsDirectoryWithItsEnvironmentOnly() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", "echo $ECHOLAB_CHILD; pwd; echo ${ECHOLAB_ABSENT:-absent}")
                .directory(Path.of("/tmp").toFile());
        builder.environment().clear();
        builder.environment().put("ECHOLAB_CHILD", "set");
        builder.environment().put("PATH", "/usr/bin:/bin");
        Process p = Children.start(builder);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(List.of("set", "/tmp", "absent"), out.lines().toList());
        assertEquals(0, p.exitValue());

        // Nothing of this process's environment comes along: only what the builder holds.
        assertFalse(System.getenv().isEmpty());
        ProcessBuilder bare = new ProcessBuilder("/usr/bin/env");
        bare.environment().clear();
        bare.environment().put("ECHOLAB_CHILD", "set");
        Process env = Children.start(bare);
        assertEquals(List.of("ECHOLAB_CHILD=set"), new String(env.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList());
        assertTrue(env.waitFor(10, TimeUnit.SECONDS));
    }

    @Test
    void stopAllEndsAChildBySigtermAndKillsOneThatIgnoresItAfterTheGrace() throws Exception {
        Process polite = Children.start(new ProcessBuilder("sleep", "30"));
        assertEquals(List.of(), Children.stopAll(Duration.ofSeconds(5)), "sleep ends on SIGTERM: nothing to kill");
        assertTrue(polite.waitFor(5, TimeUnit.SECONDS));
        assertEquals(128 + 15, polite.exitValue(), "ended by SIGTERM");

        // A loop of short sleeps: a SIGTERM that reaches its current sleep does not end the shell
        // (with one long sleep, the shell ended when its sleep did, sometimes within the grace).
        Process stubborn = Children.start(new ProcessBuilder("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done"));
        assertEquals("ready", new String(stubborn.getInputStream().readNBytes(5), StandardCharsets.UTF_8));
        List<ProcessHandle> killed = Children.stopAll(Duration.ofMillis(300));
        assertTrue(killed.contains(stubborn.toHandle()), "killed: " + killed);
        assertTrue(stubborn.waitFor(5, TimeUnit.SECONDS));
        assertEquals(128 + 9, stubborn.exitValue(), "ended by SIGKILL");
    }

    @Test
    void javaCommandRunsAClassInAJvmLikeThisOne() {
        List<String> cmd = Children.javaCommand("dev.echolab.Main");
        assertEquals(Path.of(System.getProperty("java.home"), "bin", "java").toString(), cmd.getFirst());
        List<String> options = ManagementFactory.getRuntimeMXBean().getInputArguments();
        assertFalse(options.isEmpty(), "this JVM has options to pass on (the build's argLine)");
        assertEquals(options, cmd.subList(1, 1 + options.size()));
        assertEquals(List.of("-cp", System.getProperty("java.class.path"), "dev.echolab.Main"),
                cmd.subList(cmd.size() - 3, cmd.size()));
    }

    @Test
    void aSignalsExitStatusIsWhatAShellReports() {
        assertEquals(143, Signals.exitStatus("SIGTERM"));
        assertEquals(130, Signals.exitStatus("INT"));
        assertEquals(129, Signals.exitStatus("SIGHUP"));
    }
}
