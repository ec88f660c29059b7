package dev.echolab.lab.render;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bench/compare-ref.sh's records made into its tables: ratios within each pair, runs below
 * saturation left out, and the floor priced at the measured cost of a call. The expected figures
 * follow from the records by hand: a run's CPU per message is its CPU share over its rate.
 */
class RefComparisonTest {

    @TempDir
    Path dir;

    private static String run(String server, String pair, double cpu, double rate) {
        return "{\"server\":\"" + server + "\",\"for\":\"uring\",\"case\":\"d1c500\",\"pair\":\"" + pair + "\",\"load1\":1.5,"
                + "\"counted\":false,\"ref_load\":{\"msgs_per_s\":" + rate + ",\"server_cpu_pct\":" + cpu + "}}";
    }

    private static String counted(String server, long calls, double rate) {
        return "{\"server\":\"" + server + "\",\"for\":\"uring\",\"case\":\"d1c500\",\"pair\":\"counted\",\"load1\":1.5,"
                + "\"counted\":true,\"ref_load\":{\"msgs_per_s\":" + rate + ",\"server_cpu_pct\":95},"
                + "\"bill\":{\"seconds\":10.0,\"kernel_bill\":{\"syscalls\":{\"io_uring_enter\":" + calls + ",\"total\":" + calls + "},"
                + "\"voluntary_ctx_switches\":0,\"involuntary_ctx_switches\":0}}}";
    }

    private RefComparison records(String... lines) throws IOException {
        Path f = dir.resolve("results.jsonl");
        Files.write(f, List.of(lines));
        return RefComparison.read(f, 80);
    }

    @Test
    void ratiosAreTakenWithinEachPairAndTheFloorPricesTheCallsSaved() throws IOException {
        String tables = records(
                "{\"run\":{\"command\":\"bench/compare-ref.sh\",\"date\":\"d\",\"commit\":\"c\",\"machine\":\"m\"}}",
                "{\"syscall_cost\":{\"us\":0.2},\"kit_us\":0.19,\"when\":\"start\",\"load1\":1.0}",
                "{\"syscall_cost\":{\"us\":0.3},\"kit_us\":null,\"when\":\"end\",\"load1\":1.0}",
                run("ref-echo", "1", 100, 200_000), run("uring", "1", 100, 200_000),   // 5.00 vs 5.00: 1.00
                run("ref-echo", "2", 100, 100_000), run("uring", "2", 90, 100_000),    // 10.00 vs 9.00: 0.90
                run("ref-echo", "3", 100, 200_000), run("uring", "3", 50, 100_000),    // uring below saturation: left out
                counted("ref-echo", 4_000_000, 200_000), counted("uring", 1_000_000, 200_000)).tables();
        // pairs 1 and 2 count: uring's median 7.00 us/msg, ratios 1.00 and 0.90
        assertTrue(tables.contains("| uring | 7.00 (0.95x ref-echo [0.90-1.00], n=2/3, load 1.5-1.5) |"), tables);
        // 2.00 calls/msg against 0.50, at the median cost 0.25 us: 0.375 us saved; ref-echo's median 7.50 -> floor 7.125
        // vs floor: 5.00/4.625 = 1.08, 9.00/9.625 = 0.94, median 1.01
        assertTrue(tables.contains("| uring | d1c500 | 0.95x | 2.00 | 0.50 | 7.13 | 1.01x [0.94-1.08] | load 1.5-1.5 |"), tables);
        assertTrue(tables.contains("start: 0.2 us (kit's syscall-cost.c: 0.19 us), load 1.0, end: 0.3 us, load 1.0"), tables);
        assertTrue(tables.contains("x 0.250 us"), tables);
    }

    @Test
    void aCaseWithNoSaturatedPairSaysSoAndHasNoFloor() throws IOException {
        String tables = records(
                "{\"syscall_cost\":{\"us\":0.2},\"kit_us\":null,\"when\":\"start\",\"load1\":1.0}",
                run("ref-echo", "1", 100, 200_000), run("uring", "1", 40, 200_000)).tables();
        assertTrue(tables.contains("| uring | no saturated pair of 1 |"), tables);
        assertTrue(!tables.contains("| uring | d1c500 |"), "no floor row without a ratio: " + tables);
    }

    @Test
    void aLineThatIsNotARecordIsNamedByItsNumber() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> records(run("ref-echo", "1", 100, 200_000), "{not json"));
        assertTrue(e.getMessage().contains("results.jsonl:2:"), e.getMessage());
    }
}
