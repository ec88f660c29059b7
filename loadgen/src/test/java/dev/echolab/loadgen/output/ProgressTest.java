package dev.echolab.loadgen.output;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The progress line and object, and the {@code --json-stream} file that carries them and the report. */
class ProgressTest {

    @TempDir
    Path dir;

    private static Map<String, Long> errors(long timeouts, long resets) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("refused", 0L);
        m.put("timeout", timeouts);
        m.put("reset", resets);
        return m;
    }

    @Test
    void theLineSaysEachFigureAndMarksUpperBoundsWhenProcessesAreCombined() {
        Progress one = Progress.of(3.456, true, 12_345.678, new Progress.Percentiles(50, 990, 4_000), null, errors(2, 3), 40, 1, 0, 0);
        assertEquals(3.46, one.elapsedS());
        assertEquals(12_345.68, one.msgsPerS());
        assertEquals("measuring", one.phase());
        assertTrue(one.measuring());
        assertEquals(5, one.errors());
        assertEquals("[   3s] measuring      12346 msgs/s  p99 990 us  errors 5  live 40", one.text(1));
        Progress open = Progress.of(1, false, 100, null, new Progress.Percentiles(60, 2_000, 5_000), errors(0, 0), 8, 2, 0, 0);
        assertFalse(open.measuring());
        assertEquals("[   1s] warm-up          100 msgs/s  p99 <= - us (corrected <= 2000 us)  errors 0  live 8  (2 of 3 processes)",
                open.text(3));
        assertEquals("[   1s] warm-up          100 msgs/s  p99 - us (corrected 2000 us)  errors 0  live 8", open.text(1));
    }

    @Test
    void percentilesComeFromTheHistogramAndCombineAsTheHigherOfEach() {
        assertNull(Progress.Percentiles.of(null));
        assertNull(Progress.Percentiles.of(new Histogram(3)));
        Histogram h = new Histogram(3);
        for (int v = 1; v <= 1000; v++) {
            h.recordValue(v);
        }
        assertEquals(new Progress.Percentiles(500, 990, 999), Progress.Percentiles.of(h));
        Progress.Percentiles a = new Progress.Percentiles(1, 20, 3);
        Progress.Percentiles b = new Progress.Percentiles(10, 2, 30);
        assertEquals(new Progress.Percentiles(10, 20, 30), Progress.Percentiles.max(a, b));
        assertEquals(new Progress.Percentiles(10, 20, 30), Progress.Percentiles.max(b, a));
        assertEquals(a, Progress.Percentiles.max(a, null));
        assertEquals(b, Progress.Percentiles.max(null, b));
    }

    @Test
    void anObjectOfAnotherTypeOrSchemaOrNotJsonIsRefused() {
        Progress p = Progress.of(1, true, 1, null, null, errors(0, 0), 1, 1, 0, 0);
        assertEquals(p, Progress.parse(p.toJson()));
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> Progress.parse(p.toJson().replace("\"type\":\"progress\"", "\"type\":\"report\"")));
        assertTrue(type.getMessage().startsWith("not a progress object of schema 1: "), type.getMessage());
        IllegalArgumentException broken = assertThrows(IllegalArgumentException.class, () -> Progress.parse("{"));
        assertTrue(broken.getMessage().startsWith("not a progress object: "), broken.getMessage());
    }

    @Test
    void theStreamWritesOneObjectALineEndsWithTheReportAndReadsBack() throws IOException {
        Path file = dir.resolve("run.jsonl");
        Progress first = Progress.of(1, false, 10, null, null, errors(0, 0), 2, 1, 0, 0);
        Progress second = Progress.of(2, true, 20, new Progress.Percentiles(1, 2, 3), null, errors(1, 0), 2, 1, 0, 0);
        JsonReport report = JsonReport.of(ReportTest.openLoop());
        try (JsonStream s = JsonStream.open(file, null)) {
            s.progress(first);
            assertEquals(List.of(first.toJson()), Files.readAllLines(file), "each object is flushed as it is written");
            s.progress(second);
            s.report(report);
            assertEquals(report.toJson(), Files.readAllLines(file).getLast(), "the report too");
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(3, lines.size());
        assertEquals(new JsonStream.Contents(List.of(first, second), report), JsonStream.read(file));
        assertEquals(new JsonStream.Contents(List.of(first), null), JsonStream.read(lines.subList(0, 1)));
        IllegalArgumentException after = assertThrows(IllegalArgumentException.class,
                () -> JsonStream.read(List.of(lines.get(2), lines.get(0))));
        assertEquals("a line after the report: " + lines.get(0), after.getMessage());
        IllegalArgumentException notJson = assertThrows(IllegalArgumentException.class, () -> JsonStream.read(List.of("nope")));
        assertEquals("not JSON: nope", notJson.getMessage());
        assertNull(JsonStream.open(null, null));
    }

    @Test
    void theStreamOnStdoutWritesThereAndLeavesItOpen() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stdout = new PrintStream(bytes, false, StandardCharsets.UTF_8);
        Progress p = Progress.of(1, true, 10, null, null, errors(0, 0), 2, 1, 0, 0);
        try (JsonStream s = JsonStream.open(JsonStream.STDOUT, stdout)) {
            s.progress(p);
            assertEquals(p.toJson() + System.lineSeparator(), bytes.toString(StandardCharsets.UTF_8), "flushed at once");
        }
        stdout.println("still open");
        stdout.flush();
        assertFalse(stdout.checkError());
        assertTrue(bytes.toString(StandardCharsets.UTF_8).endsWith("still open" + System.lineSeparator()));
    }
}
