package dev.echolab.loadgen;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The bytes on the wire must be exactly ref-load's; the expected strings were produced by ref-load.c's own code. */
@Timeout(10)
class MessagesTest {

    @Test
    void naturalMessageIsTheSeedProgramsLine() {
        assertEquals("Thread-0 say hello 1\n", text(new Messages(0).message(0, 1)));
        assertEquals("Thread-499 say hello 12345\n", text(new Messages(0).message(499, 12345)));
    }

    @Test
    void paddingMatchesRefLoad() {
        assertEquals("Thread-3 say hello 5 ghijklmnopqrstuvwx\n", text(new Messages(40).message(3, 5)));
        assertEquals("Thread-7 say hello 26 bcdefgh\n", text(new Messages(30).message(7, 26)));
        assertEquals("Thread-12 say hello 987654 tuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklm\n",
                text(new Messages(100).message(12, 987654)));
    }

    @Test
    void sizeSmallerThanTheNaturalLengthChangesNothing() {
        assertEquals("Thread-0 say hello 1\n", text(new Messages(5).message(0, 1)));
    }

    @Test
    void anySliceEqualsTheSameBytesOfTheWholeMessage() {
        Messages m = new Messages(64);
        byte[] whole = m.message(42, 777);
        byte[] scratch = new byte[Messages.SCRATCH_BYTES];
        for (int from = 0; from < whole.length; from += 7) {
            int len = Math.min(11, whole.length - from);
            byte[] part = new byte[len];
            m.write(42, 777, from, part, 0, len, scratch);
            byte[] expected = new byte[len];
            System.arraycopy(whole, from, expected, 0, len);
            assertArrayEquals(expected, part, "slice at " + from);
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }
}
