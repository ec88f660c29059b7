package dev.echolab.lab.sample;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sampler against real processes: a server's children are whatever it has at each reading. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SamplerTest {

    /** As a server that forks a process per connection does: the child comes after the sampler has started. */
    @Test
    void aChildStartedAfterTheSamplerIsCounted() throws Exception {
        // sh waits for a line, then starts a child that spins until it is killed
        Process root = new ProcessBuilder("sh", "-c", "read go; sh -c 'while :; do :; done' & wait").start();
        try (Sampler sampler = new Sampler(root.pid())) {
            long before = sampler.now().orElseThrow().cpuTicks();
            root.getOutputStream().write('\n');
            root.getOutputStream().flush();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<ProcessHandle> children;
            do {
                Thread.sleep(50);
                children = root.toHandle().children().toList();
            } while ((children.isEmpty() || ownTicks(children.getFirst().pid()) < 20) && System.nanoTime() < end);
            assertEquals(1, children.size(), "the spinning child");
            long child = ownTicks(children.getFirst().pid());
            long counted = sampler.now().orElseThrow().cpuTicks() - before;
            assertTrue(counted >= child, "the sampler counted " + counted + " ticks; the child alone used " + child);
        } finally {
            root.descendants().forEach(ProcessHandle::destroyForcibly);
            root.destroyForcibly();
        }
    }

    /** utime + stime from /proc/PID/stat. */
    private static long ownTicks(long pid) throws IOException {
        String stat = Files.readString(Proc.PROC.resolve(pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
