package dev.echolab.lab.render;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bench/loadgen-vs-ref.sh's records made into its table: each driver's figures over ref-load's in
 * the same pair, median and range over the pairs; a failed run drops out of its pair. The figures
 * follow from the records by hand.
 */
class LoadgenComparisonTest {

    @TempDir
    Path dir;

    private static String run(String driver, String pair, double rate, double p99, double cpu) {
        return "{\"driver\":\"" + driver + "\",\"pair\":\"" + pair + "\",\"load1\":1.0,\"result\":{\"msgs_per_s\":" + rate
                + ",\"p50_us\":100,\"p99_us\":" + p99 + ",\"p999_us\":400,\"cpu_pct\":" + cpu + "}}";
    }

    @Test
    void eachRatioIsTakenWithinItsPair() throws IOException {
        Path f = dir.resolve("results.jsonl");
        Files.write(f, List.of("{\"run\":{\"command\":\"bench/loadgen-vs-ref.sh\"}}",
                run("ref-load", "1", 1_000_000, 1000, 100), run("nio", "1", 900_000, 1200, 100),   // 0.90, p99 1.20
                run("ref-load", "2", 2_000_000, 1000, 100), run("nio", "2", 2_200_000, 1100, 100), // 1.10, p99 1.10
                run("ref-load", "3", 2_000_000, 1000, 100), "{\"driver\":\"nio\",\"pair\":\"3\",\"result\":{\"failed\":true}}"));
        String t = LoadgenComparison.read(f).tables();
        // msgs/s 0.90 and 1.10: median 1.00; p99 1.20 and 1.10: median 1.15; CPU per message: 1/0.9 = 1.11 and 1/1.1 = 0.91
        assertTrue(t.contains("| nio | 1.00 [0.90-1.10] | 1.00 [1.00-1.00] | 1.15 [1.10-1.20] | 1.00 [1.00-1.00] | 1.01 [0.91-1.11] | 2 of 3 |"), t);
        assertTrue(t.contains("| 1 | ref-load | 1,000,000 | 100 | 1,000 | 400 | 1.000 |"), t);
        assertTrue(t.contains("| 3 | nio | - | - | - | - | - |"), t);
    }
}
