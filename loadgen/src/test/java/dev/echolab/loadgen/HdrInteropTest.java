package dev.echolab.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import dev.echolab.loadgen.output.HlogFile;
import dev.echolab.server.Backend;
import dev.echolab.server.EchoServer;
import dev.echolab.server.ServerConfig;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --hlog} and {@code --hgrm} read back with HdrHistogram's own classes: the log through its
 * {@code HistogramLogReader} gives the run's count and percentiles in microseconds, its
 * {@code HistogramLogProcessor} told the unit ({@code -outputValueUnitRatio 1000}) prints exactly
 * the {@code .hgrm} the run wrote, and that file's rows and footer are the run's figures in milliseconds.
 */
class HdrInteropTest {

    private static final Pattern FOOTER = Pattern.compile("#\\[Max\\s*=\\s*([0-9.]+), Total count\\s*=\\s*(\\d+)]");
    private static final Pattern ROW = Pattern.compile("\\s*([0-9.]+)\\s+([0-9.]+)\\s+(\\d+)\\s+\\S+");

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void theLogAndThePercentileFileReadBackWithHdrHistogram() throws Exception {
        Path json = dir.resolve("run.json");
        Path hlog = dir.resolve("run.hlog");
        Path hgrm = dir.resolve("run.hgrm");
        try (EchoServer server = EchoServer.create(ServerConfig.loopback(Backend.NIO))) {
            server.start();
            Loadgen r = Loadgen.run("--port", Integer.toString(server.localAddress().getPort()), "--connections", "4",
                    "--duration", "1500ms", "--warmup", "300ms", "--json", json.toString(), "--hlog", hlog.toString(),
                    "--hgrm", hgrm.toString());
            assertEquals(0, r.exit(), r::toString);
        }
        JsonNode doc = Loadgen.json(json);
        long msgs = (long) Loadgen.number(doc, "/msgs");

        assertTrue(Files.readString(hlog).startsWith("#" + HlogFile.UNIT_COMMENT), "the log states its unit first");
        Histogram sum = new Histogram(3);
        HlogFile.read(hlog).forEach(sum::add);
        assertEquals(msgs, sum.getTotalCount());
        assertEquals((long) Loadgen.number(doc, "/p99_us"), sum.getValueAtPercentile(99));
        assertEquals((long) Loadgen.number(doc, "/max_us"), sum.getMaxValue());

        String written = Files.readString(hgrm);
        Matcher footer = FOOTER.matcher(written);
        assertTrue(footer.find(), written);
        assertEquals(msgs, Long.parseLong(footer.group(2)), written);
        assertEquals(Loadgen.number(doc, "/max_us") / 1000, Double.parseDouble(footer.group(1)), 0.001, written);
        // Rows are values at rising percentile levels: the p99 lies between the last row below the
        // 99th percentile and the first at or past it (in milliseconds).
        double below = -1;
        double past = -1;
        for (String line : written.lines().toList()) {
            Matcher row = ROW.matcher(line);
            if (row.matches()) {
                if (Double.parseDouble(row.group(2)) < 0.99) {
                    below = Double.parseDouble(row.group(1));
                } else {
                    past = Double.parseDouble(row.group(1));
                    break;
                }
            }
        }
        double p99Ms = Loadgen.number(doc, "/p99_us") / 1000;
        assertTrue(below >= 0 && below <= p99Ms + 0.0005 && p99Ms <= past + 0.0005, () -> p99Ms + " ms\n" + written);

        Path processed = dir.resolve("processed");
        new HistogramLogProcessor(new String[] {"-i", hlog.toString(), "-o", processed.toString(),
                "-outputValueUnitRatio", "1000"}).run();
        // The processor heads its file with the log's time range, and its last line counts the
        // buckets of its own histogram (sized differently); the distribution between is the same.
        assertEquals(distribution(written), distribution(Files.readString(dir.resolve("processed.hgrm"))));
    }

    private static String distribution(String hgrm) {
        return hgrm.lines().filter(l -> !l.startsWith("#[Overall percentile distribution") && !l.startsWith("#[StartTime")
                && !l.startsWith("#[Buckets")).collect(Collectors.joining("\n"));
    }
}
