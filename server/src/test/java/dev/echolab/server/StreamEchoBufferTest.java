package dev.echolab.server;

import org.junit.jupiter.api.Test;

import static dev.echolab.server.StreamEchoServer.LARGE_BUFFER;
import static dev.echolab.server.StreamEchoServer.SMALL_BUFFER;
import static dev.echolab.server.StreamEchoServer.nextBuffer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The blocking echo loop's buffer: small while messages are short, large only while reads fill it. */
class StreamEchoBufferTest {

    @Test
    void shortMessagesKeepTheSmallBuffer() {
        byte[] small = new byte[SMALL_BUFFER];
        assertSame(small, nextBuffer(small, 26));
        assertSame(small, nextBuffer(small, SMALL_BUFFER - 1));
    }

    @Test
    void fullReadsGrowItUpToTheLargeSize() {
        byte[] b = new byte[SMALL_BUFFER];
        int grown = 0;
        while (b.length < LARGE_BUFFER) {
            byte[] next = nextBuffer(b, b.length);
            assertEquals(Math.min(b.length * 4, LARGE_BUFFER), next.length);
            b = next;
            grown++;
        }
        assertEquals(3, grown, "1 KiB -> 4 -> 16 -> 64 KiB");
        assertSame(b, nextBuffer(b, LARGE_BUFFER), "never beyond the large size");
        assertSame(b, nextBuffer(b, SMALL_BUFFER + 1), "a large message still in flight keeps it");
    }

    @Test
    void aReadThatFitsTheSmallSizeBringsItBack() {
        assertEquals(SMALL_BUFFER, nextBuffer(new byte[LARGE_BUFFER], SMALL_BUFFER).length);
        assertEquals(SMALL_BUFFER, nextBuffer(new byte[4 * SMALL_BUFFER], 16).length);
    }
}
