package dev.echolab.server.uring;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The buffer ring's memory follows the load: room from --max-connections, buffers added as they are taken. */
class BufferRingTest {

    @Test
    void roomIsWhatTheConnectionsCanHoldAsAPowerOfTwoWithinBounds() {
        assertEquals(BufferRing.INITIAL, BufferRing.capacityFor(1));
        assertEquals(512, BufferRing.capacityFor(10)); // 10 x 32 queued buffers = 320
        assertEquals(1024, BufferRing.capacityFor(32)); // exactly 1024
        assertEquals(BufferRing.COUNT, BufferRing.capacityFor(20_000));
        assertEquals(BufferRing.COUNT, BufferRing.capacityFor(Integer.MAX_VALUE));
    }

    @Test
    void startsSmallAndAddsAsManyAgainWhenThreeQuartersAreTakenUpToItsRoom() throws Exception {
        assumeTrue(UringEchoServer.unavailability() == null, () -> "io_uring: " + UringEchoServer.unavailability());
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(arena, 8, new ArrayList<>())) {
            BufferRing buffers = new BufferRing(arena, ring, 1024, 256);
            assertEquals(256, buffers.provided());
            take(buffers, 128);
            buffers.growIfLow();
            assertEquals(256, buffers.provided(), "half taken: enough left");
            take(buffers, 65); // 63 of 256 left: fewer than a quarter
            buffers.growIfLow();
            assertEquals(512, buffers.provided());
            assertEquals(63 + 256, buffers.available());
            take(buffers, buffers.available());
            buffers.growIfLow();
            assertEquals(1024, buffers.provided());
            take(buffers, buffers.available());
            buffers.growIfLow();
            assertEquals(1024, buffers.provided(), "no more than its room");
        }
    }

    private static void take(BufferRing buffers, int n) {
        for (int i = 0; i < n; i++) {
            buffers.taken();
        }
    }
}
