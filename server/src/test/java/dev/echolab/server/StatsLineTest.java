package dev.echolab.server;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stats line: what {@link StatsLine} writes it reads back, and a {@code --processes} parent's sum. */
class StatsLineTest {

    @Test
    void everyLineItWritesParsesBackEqual() {
        Random random = new Random(27);
        for (int i = 0; i < 10_000; i++) {
            StatsLine line = randomLine(random);
            assertEquals(Optional.of(line), StatsLine.parse(line.toString()), line.toString());
        }
    }

    @Test
    void writesTheFormTheReadmeShowsAndLeavesOutWhatHasNotHappened() {
        assertEquals("connections=500 accepted=500 waiting=0 bytes=123456",
                new StatsLine(500, 500, 0, 123_456, 0, 0, OptionalLong.empty(), List.of()).toString());
        assertEquals("connections=1 accepted=9 waiting=2 bytes=3 rejected=4 idle-closed=5 polls/s=0 accepted-per-process=5/4",
                new StatsLine(1, 9, 2, 3, 4, 5, OptionalLong.of(0), List.of(5L, 4L)).toString());
    }

    @Test
    void readsOnlyStatsLines() {
        for (String other : List.of("", "listening on 127.0.0.1:8080 backend=nio", "connections=1 accepted=1",
                "echolab server: backend=nio host=127.0.0.1 port=8080 threads=1 max-connections=5",
                "connections=1 accepted=1 waiting=0 bytes=1 flavour=mint")) {
            assertTrue(StatsLine.parse(other).isEmpty(), other);
        }
    }

    @Test
    void aParentSumsItsChildrenAndListsWhatEachAccepted() {
        StatsLine a = new StatsLine(3, 10, 1, 100, 0, 2, OptionalLong.of(7), List.of());
        StatsLine b = new StatsLine(4, 20, 0, 50, 5, 0, OptionalLong.empty(), List.of());
        assertEquals(new StatsLine(7, 30, 1, 150, 5, 2, OptionalLong.of(7), List.of(10L, 20L)),
                StatsLine.ofProcesses(List.of(a, b)));
        assertEquals(new StatsLine(4, 20, 0, 50, 5, 0, OptionalLong.empty(), List.of(0L, 20L)),
                StatsLine.ofProcesses(List.of(StatsLine.ZERO, b)));
    }

    @Test
    void aSnapshotPrintsThePollRateOnlyWhenTheBackendPolls() {
        var before = new ServerStats.Snapshot(1, 1, 0, 10, 1_000, 0, 0);
        var after = new ServerStats.Snapshot(1, 1, 0, 10, 3_000, 0, 0);
        assertEquals(OptionalLong.of(4_000), after.line(before, 500_000_000).pollsPerSecond());
        assertEquals(OptionalLong.empty(), new ServerStats.Snapshot(1, 1, 0, 10, 0, 0, 0).line(before, 1).pollsPerSecond());
    }

    private static StatsLine randomLine(Random random) {
        List<Long> perProcess = new ArrayList<>();
        if (random.nextBoolean()) {
            LongStream.range(0, 1 + random.nextInt(8)).forEach(i -> perProcess.add(value(random)));
        }
        return new StatsLine(value(random), value(random), value(random), value(random), value(random), value(random),
                random.nextBoolean() ? OptionalLong.empty() : OptionalLong.of(value(random)), perProcess, value(random));
    }

    /** Zero often (the line leaves such counters out), else anything, negative included (a torn read). */
    private static long value(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1_000);
            case 2 -> -random.nextInt(3);
            default -> random.nextLong();
        };
    }
}
