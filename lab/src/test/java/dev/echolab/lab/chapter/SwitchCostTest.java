package dev.echolab.lab.chapter;

import dev.echolab.lab.chapter.SwitchCost.Switch;
import dev.echolab.lab.peer.Toolchain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The switch-cost experiment, short: every runtime's kinds come back, and the orders of magnitude
 * the chapter's claim rests on hold within one run (a coroutine switch against a thread hand-off
 * of the same runtime, both timed here, one after the other).
 */
class SwitchCostTest {

    private static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();

    @Test
    void measuresOneSwitchInEveryRuntimeAndCoroutinesSwitchFasterThanThreads(@TempDir Path out) throws Exception {
        Toolchain tools = Toolchain.system();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<Switch> switches = new SwitchCost(HOME, out, tools, new PrintStream(log, true, StandardCharsets.UTF_8),
                Duration.ofMillis(300), 2, 0.1).measure();
        String said = log.toString(StandardCharsets.UTF_8);
        switches.forEach(s -> System.out.println("switch " + s.runtime() + " " + s.kind() + " cores=" + s.cores() + ": " + s.nsPerSwitch() + " ns"));
        int cores = Runtime.getRuntime().availableProcessors();

        Switch platform = find(switches, "java", "platform", cores).orElseThrow(() -> new AssertionError(said + switches));
        Switch virtualOne = find(switches, "java", "virtual", 1).orElseThrow(() -> new AssertionError(said + switches));
        assertTrue(find(switches, "java", "virtual", cores).isPresent(), said + switches);
        // Unmounting a continuation against a futex wake-up and a context switch: 10x apart and more.
        assertTrue(virtualOne.nsPerSwitch() * 3 < platform.nsPerSwitch(), switches.toString());

        assumeTrue(tools.missing(Toolchain.Tool.GEVENT).isEmpty(), "skipped: gevent not installed");
        Switch greenlet = find(switches, "python", "greenlet", 1).orElseThrow(() -> new AssertionError(said + switches));
        Switch thread = switches.stream().filter(s -> s.runtime().equals("python") && s.kind().equals("thread")).findFirst()
                .orElseThrow(() -> new AssertionError(said + switches));
        assertTrue(find(switches, "python", "gevent", 1).isPresent(), said + switches);
        assertTrue(greenlet.nsPerSwitch() * 3 < thread.nsPerSwitch(), switches.toString());
        assertTrue(switches.stream().allMatch(s -> s.nsPerSwitch() > 0 && s.rounds() > 0), switches.toString());

        assumeTrue(tools.missing(Toolchain.Tool.GO).isEmpty(), "skipped: go not installed");
        assertTrue(find(switches, "go", "goroutine", 1).isPresent(), said + switches);
        assumeTrue(tools.missing(Toolchain.Tool.GCC).isEmpty(), "skipped: gcc not installed");
        assertTrue(find(switches, "c", "pthread", 1).isPresent(), said + switches);
    }

    @Test
    void aSwitchLineRoundTrips() throws Exception {
        Switch s = new Switch("go", "goroutine", 2, 1000, 98.25);
        assertEquals(s, Switch.parse(s.format()));
        assertEquals(new Switch("python", "gevent", 1, 20000, 2520.5),
                Switch.parse("{\"runtime\": \"python\", \"kind\": \"gevent\", \"cores\": 1, \"rounds\": 20000, \"ns_per_switch\": 2520.5}"));
    }

    private static Optional<Switch> find(List<Switch> all, String runtime, String kind, int cores) {
        return all.stream().filter(s -> s.runtime().equals(runtime) && s.kind().equals(kind) && s.cores() == cores).findFirst();
    }
}
