package dev.echolab.lab.sample;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cores used by a server and its children, from a /proc written by the test. */
class ProcTreeTest {

    /**
     * A /proc/PID/stat line as Linux writes it: the name in parentheses (which may hold spaces and
     * parentheses), then state, ppid, ..., utime (field 14), stime (15), num_threads (20), rss in pages (24).
     */
    static void stat(Path proc, long pid, String name, long ppid, long utime, long stime, int threads, long rssPages)
            throws IOException {
        stat(proc, pid, name, ppid, utime, stime, 0, threads, rssPages);
    }

    /** The same, with {@code cutime} (field 16): the CPU of the children it has waited for. */
    static void stat(Path proc, long pid, String name, long ppid, long utime, long stime, long cutime, int threads, long rssPages)
            throws IOException {
        StringBuilder s = new StringBuilder(pid + " (" + name + ") S " + ppid);
        for (int field = 5; field <= 52; field++) {
            s.append(' ').append(switch (field) {
                case 14 -> utime;
                case 15 -> stime;
                case 16 -> cutime;
                case 20 -> threads;
                case 24 -> rssPages;
                default -> 0;
            });
        }
        Files.createDirectories(proc.resolve(String.valueOf(pid)));
        Files.writeString(proc.resolve(pid + "/stat"), s.append('\n').toString());
    }

    /** A server (100) with a --processes parent's two children (101, 102) and a grandchild (103); 200 is someone else. */
    static void server(Path proc, long ticksEach) throws IOException {
        stat(proc, 1, "init", 0, 5_000, 0, 1, 100);
        stat(proc, 100, "java", 1, ticksEach, 0, 20, 1_000);
        stat(proc, 101, "java (child) 1", 100, ticksEach, 0, 18, 2_000);
        stat(proc, 102, "python3", 100, ticksEach, 0, 3, 500);
        stat(proc, 103, "go-peer", 102, 0, ticksEach, 1, 250);
        stat(proc, 200, "bin/loadgen", 1, 9_999, 9_999, 40, 9_999);
    }

    @Test
    void theTreeIsTheServerAndEveryProcessBelowItAndNoOneElse(@TempDir Path proc) throws IOException {
        server(proc, 100);
        Files.createDirectories(proc.resolve("self"));
        Files.createDirectories(proc.resolve("300"));
        Files.writeString(proc.resolve("300/stat"), "garbage");

        List<Long> tree = Proc.tree(proc, 100);

        assertEquals(100L, tree.getFirst(), "the root first");
        assertEquals(List.of(100L, 101L, 102L, 103L), tree.stream().sorted().toList());
    }

    @Test
    void aSampleSumsCpuRssAndThreadsOverTheTree(@TempDir Path proc) throws IOException {
        server(proc, 100);
        Proc.Sample s = Proc.sample(proc, Proc.tree(proc, 100)).orElseThrow();
        assertEquals(4 * 100, s.cpuTicks(), "utime of three, stime of the fourth");
        assertEquals((1_000 + 2_000 + 500 + 250) * Proc.PAGE_SIZE, s.rssBytes());
        assertEquals(20 + 18 + 3 + 1, s.threads());
    }

    @Test
    void coresUsedIsCpuSecondsOverWallSeconds() {
        // 10 s of wall time in which the tree's CPU ticks (1/100 s) went from 500 to 2,400: 19 CPU seconds.
        Proc.Sample before = new Proc.Sample(1_000_000_000L, 0, 500, 0, 1);
        Proc.Sample after = new Proc.Sample(11_000_000_000L, 10_000, 2_400, 0, 1);
        assertEquals(1.9, Proc.coresUsed(before, after), 1e-9);
        assertEquals(0.0, Proc.coresUsed(before, before), "no time, no cores");
    }

    @Test
    void fourProcessesThatEachSpentTenSecondsOfCpuInTenSecondsUsedFourCores(@TempDir Path proc) throws IOException {
        server(proc, 100);
        List<Long> tree = Proc.tree(proc, 100);
        Proc.Sample before = Proc.sample(proc, tree).orElseThrow();
        server(proc, 100 + 1_000); // each of the four: 1,000 ticks (10 s of CPU) more
        Proc.Sample after = Proc.sample(proc, tree).orElseThrow();
        Proc.Sample tenSecondsLater = new Proc.Sample(before.nanos() + 10_000_000_000L, 0, after.cpuTicks(), 0, 0);
        assertEquals(4.0, Proc.coresUsed(before, tenSecondsLater), 1e-9);
    }

    @Test
    void whatAChildUsedStaysCountedOnceItsParentHasWaitedForIt(@TempDir Path proc) throws IOException {
        server(proc, 100);
        long before = Proc.sample(proc, Proc.tree(proc, 100)).orElseThrow().cpuTicks();
        // 103 ends and 102 waits for it: its 100 ticks leave the tree and join 102's cutime
        Files.delete(proc.resolve("103/stat"));
        stat(proc, 102, "python3", 100, 100, 0, 100, 3, 500);
        assertEquals(before, Proc.sample(proc, Proc.tree(proc, 100)).orElseThrow().cpuTicks());
    }

    @Test
    void aChildThatEndedIsLeftOutAndARootThatEndedEndsTheSampling(@TempDir Path proc) throws IOException {
        server(proc, 100);
        List<Long> tree = Proc.tree(proc, 100);
        Files.delete(proc.resolve("103/stat"));
        assertEquals(300, Proc.sample(proc, tree).orElseThrow().cpuTicks());
        Files.delete(proc.resolve("100/stat"));
        assertTrue(Proc.sample(proc, tree).isEmpty());
    }
}
