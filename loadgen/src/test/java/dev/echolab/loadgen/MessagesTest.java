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

    /** Long padding (beyond one copy of the letters) and every slice boundary, against the byte-by-byte definition. */
    @Test
    void everyByteFollowsTheDefinition() {
        for (int size : new int[] {0, 23, 24, 25, 64, 5000, 10_000}) {
            Messages m = new Messages(size);
            byte[] scratch = new byte[Messages.SCRATCH_BYTES];
            for (long seq : new long[] {1, 9, 10, 25, 26, 999_999, 3_000_000_000L}) {
                byte[] expected = definition(5, seq, size);
                assertArrayEquals(expected, m.message(5, seq), "size " + size + ", seq " + seq);
                for (int from = 0; from < expected.length; from += Math.max(1, expected.length / 37)) {
                    for (int len : new int[] {0, 1, 2, 19, 4200}) {
                        int n = Math.min(len, expected.length - from);
                        byte[] part = new byte[n + 2];
                        m.write(5, seq, from, part, 1, n, scratch);
                        byte[] want = new byte[n + 2];
                        System.arraycopy(expected, from, want, 1, n);
                        assertArrayEquals(want, part, "size " + size + ", seq " + seq + ", from " + from + ", len " + n);
                    }
                }
            }
        }
    }

    /** Message (id, seq) padded to size, one byte at a time, as documented (and as ref-load.c pads). */
    private static byte[] definition(int id, long seq, int size) {
        String header = "Thread-" + id + " say hello " + seq;
        int length = Math.max(header.length() + 1, size);
        byte[] b = new byte[length];
        for (int p = 0; p < length; p++) {
            b[p] = (byte) (p < header.length() ? header.charAt(p) : p == length - 1 ? '\n' : p == header.length() ? ' '
                    : 'a' + (int) ((p - header.length() + seq) % 26));
        }
        return b;
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }
}
