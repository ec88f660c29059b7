package dev.echolab.loadgen;

import java.nio.charset.StandardCharsets;

/**
 * The bytes of every message, computed from (connection, sequence number) alone, so no side keeps
 * copies of what it sent and the NIO driver checks echoes without allocating.
 *
 * <p>Message {@code n} (from 1, as the reference {@code ref-load} counts) of connection {@code i}
 * (from 0) is {@code Thread-<i> say hello <n>\n}. When {@code --size} asks for more bytes than that,
 * a space and letters are inserted before the newline; the letter at offset {@code p} is
 * {@code 'a' + (p - headerLength + n) % 26}, exactly as {@code ref-load -s} pads, so both tools put
 * the same bytes on the wire.
 */
public final class Messages {

    private static final byte[] PREFIX = "Thread-".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MIDDLE = " say hello ".getBytes(StandardCharsets.US_ASCII);
    /** Longest header: prefix, 10 digits of id, middle, 19 digits of sequence number. */
    public static final int SCRATCH_BYTES = 64;

    private final int size;

    /** @param size pad every message to at least this many bytes (0: natural length) */
    public Messages(int size) {
        this.size = size;
    }

    public int length(int id, long seq) {
        int natural = PREFIX.length + digits(id) + MIDDLE.length + digits(seq) + 1;
        return Math.max(natural, size);
    }

    /** The whole message, freshly allocated: for tests and error paths. */
    byte[] message(int id, long seq) {
        byte[] out = new byte[length(id, seq)];
        write(id, seq, 0, out, 0, out.length, new byte[SCRATCH_BYTES]);
        return out;
    }

    /**
     * Writes bytes {@code [from, from + len)} of message (id, seq) into {@code out} at {@code at}.
     * {@code scratch} ({@link #SCRATCH_BYTES} long) holds the header; it is the caller's so that
     * this class stays immutable and shareable between threads.
     *
     * <p>Whole runs are copied, not bytes computed one by one: this runs twice per message (to send
     * it and to check its echo), and at 16 messages in flight per connection, where the system
     * calls carry 16 messages each, the per-byte loop was 11% of the nio driver's CPU.
     */
    public void write(int id, long seq, int from, byte[] out, int at, int len, byte[] scratch) {
        write(scratch, header(id, seq, scratch), seq, from, out, at, len);
    }

    /**
     * Writes {@code "Thread-<id> say hello "} into {@code head} ({@link #SCRATCH_BYTES} long) and
     * returns its length: the part of every header of connection {@code id} that does not depend
     * on the message ({@link Header} keeps it).
     */
    private static int prefix(int id, byte[] head) {
        System.arraycopy(PREFIX, 0, head, 0, PREFIX.length);
        int p = putDecimal(id, head, PREFIX.length);
        System.arraycopy(MIDDLE, 0, head, p, MIDDLE.length);
        return p + MIDDLE.length;
    }

    /**
     * One connection's header, {@code "Thread-<id> say hello <seq>"}, kept from message to message:
     * the next message's differs in its last digits, so {@link #of} increments them in place (with
     * their carry) instead of writing every digit of the sequence number again. A connection keeps
     * one for what it sends and one for what it checks, each walking its messages in order.
     */
    public static final class Header {
        public final byte[] bytes = new byte[SCRATCH_BYTES];
        private final int prefixLength;
        private long seq;
        private int length;

        public Header(int id) {
            prefixLength = prefix(id, bytes);
            seq = 0;
            length = putDecimal(0, bytes, prefixLength);
        }

        /** Makes {@link #bytes} message {@code s}'s header; returns its length. */
        public int of(long s) {
            if (s == seq + 1) {
                int p = length - 1;
                while (p >= prefixLength && bytes[p] == '9') {
                    bytes[p--] = '0';
                }
                if (p >= prefixLength) {
                    bytes[p]++;
                } else {
                    length = putDecimal(s, bytes, prefixLength); // all nines: one digit more
                }
            } else if (s != seq) {
                length = putDecimal(s, bytes, prefixLength);
            }
            seq = s;
            return length;
        }
    }

    /** The length of a message whose header is {@code headerLength} bytes long. */
    public int lengthOf(int headerLength) {
        return Math.max(headerLength + 1, size);
    }

    /**
     * Writes bytes {@code [from, from + len)} of message {@code seq} into {@code out} at {@code at},
     * its header being the first {@code headerLength} bytes of {@code head}.
     */
    public void write(byte[] head, int headerLength, long seq, int from, byte[] out, int at, int len) {
        int newline = lengthOf(headerLength) - 1;
        int p = from;
        int end = from + len;
        if (p < headerLength) {
            int k = Math.min(end, headerLength) - p;
            System.arraycopy(head, p, out, at, k);
            p += k;
        }
        if (p == headerLength && p < newline && p < end) {
            out[at + p++ - from] = ' ';
        }
        while (p < Math.min(end, newline)) {
            // Letter at p: 'a' + (p - headerLength + seq) % 26; LETTERS repeats with period 26.
            int k = Math.min(Math.min(end, newline) - p, LETTERS.length - 26);
            System.arraycopy(LETTERS, (int) ((p - headerLength + seq) % 26), out, at + p - from, k);
            p += k;
        }
        if (p == newline && p < end) {
            out[at + p - from] = '\n';
        }
    }

    /** "abc...z" repeated: any run of padding letters is one copy from the right offset. */
    private static final byte[] LETTERS = letters(4096 + 26);

    private static byte[] letters(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    private static int header(int id, long seq, byte[] into) {
        return putDecimal(seq, into, prefix(id, into));
    }

    private static int putDecimal(long value, byte[] into, int at) {
        int end = at + digits(value);
        if (value <= Integer.MAX_VALUE) {
            // int division by a constant compiles to a multiply; this runs twice per message.
            int v = (int) value;
            for (int p = end - 1; p >= at; p--) {
                into[p] = (byte) ('0' + v % 10);
                v /= 10;
            }
            return end;
        }
        long v = value;
        for (int p = end - 1; p >= at; p--) {
            into[p] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return end;
    }

    /** Decimal digits of a non-negative value, by comparisons: this is on every message's path, divisions were a third of the driver's CPU. */
    static int digits(long value) {
        int n = 1;
        while (n < POWERS_OF_TEN.length && value >= POWERS_OF_TEN[n]) {
            n++;
        }
        return n;
    }

    private static final long[] POWERS_OF_TEN = powersOfTen();

    private static long[] powersOfTen() {
        long[] p = new long[19];
        p[0] = 1;
        for (int i = 1; i < p.length; i++) {
            p[i] = p[i - 1] * 10;
        }
        return p;
    }
}
