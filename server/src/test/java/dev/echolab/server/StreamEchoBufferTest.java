package dev.echolab.server;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static dev.echolab.server.StreamEchoServer.LARGE_BUFFER;
import static dev.echolab.server.StreamEchoServer.SMALL_BUFFER;
import static dev.echolab.server.StreamEchoServer.nextBuffer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The blocking echo loop's buffer: small while messages are short, large only while reads fill it. */
class StreamEchoBufferTest {

    @Test
    void shortMessagesKeepTheSmallBuffer() {
        ByteBuffer small = ByteBuffer.allocateDirect(SMALL_BUFFER);
        assertSame(small, nextBuffer(small, 26));
        assertSame(small, nextBuffer(small, SMALL_BUFFER - 1));
    }

    @Test
    void fullReadsGrowItUpToTheLargeSize() {
        ByteBuffer b = ByteBuffer.allocateDirect(SMALL_BUFFER);
        int grown = 0;
        while (b.capacity() < LARGE_BUFFER) {
            ByteBuffer next = nextBuffer(b, b.capacity());
            assertEquals(Math.min(b.capacity() * 4, LARGE_BUFFER), next.capacity());
            b = next;
            grown++;
        }
        assertEquals(3, grown, "1 KiB -> 4 -> 16 -> 64 KiB");
        assertSame(b, nextBuffer(b, LARGE_BUFFER), "never beyond the large size");
        assertSame(b, nextBuffer(b, SMALL_BUFFER + 1), "a large message still in flight keeps it");
    }

    @Test
    void aReadThatFitsTheSmallSizeBringsItBack() {
        assertEquals(SMALL_BUFFER, nextBuffer(ByteBuffer.allocateDirect(LARGE_BUFFER), SMALL_BUFFER).capacity());
        assertEquals(SMALL_BUFFER, nextBuffer(ByteBuffer.allocateDirect(4 * SMALL_BUFFER), 16).capacity());
    }
}
