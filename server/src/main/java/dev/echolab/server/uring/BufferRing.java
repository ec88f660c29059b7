package dev.echolab.server.uring;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A provided buffer ring (Linux 5.19): {@value #COUNT} buffers of {@value #SIZE} bytes that the
 * kernel picks from when data arrives, instead of one buffer per connection waiting in a recv.
 * A receive's completion names the buffer it filled (its id, in the completion's flags); the echo
 * is sent straight from it, and only when that send has completed does the buffer go back
 * ({@link #recycle}), so the bytes are copied once into the buffer and once out of it, never in Java.
 *
 * <pre>
 *   ring of {addr, len, bid} entries, shared with the kernel
 *   [b7][b8][b9][  ][  ]...         the kernel takes from the head; we put sent buffers back
 *    ▲ kernel's head   ▲ tail: ours, a 16-bit store with release order, once per loop turn
 * </pre>
 *
 * <p>Memory is fixed: {@value #COUNT} x {@value #SIZE} bytes however many connections are open;
 * idle connections hold none. When every buffer waits to be sent, a receive fails with
 * {@code ENOBUFS} and its connection waits until buffers come back.
 */
final class BufferRing {

    static final int COUNT = 8192;
    static final int SIZE = 4096;
    static final short GROUP = 0;
    private static final int REGISTER_PBUF_RING = 22;
    private static final long TAIL_AT = 14;
    private static final VarHandle SHORT = ValueLayout.JAVA_SHORT.varHandle();

    private final int count;
    private final MemorySegment ring;
    private final MemorySegment buffers;
    private final long base;
    private int tail;
    private int published;
    /** Buffers the kernel may still pick: added minus picked (each receive's completion says it picked one). */
    private int available;

    /** {@code count} buffers (a power of two): {@link #COUNT} to serve, 1 to see that the kernel has buffer rings. */
    BufferRing(Arena arena, Ring uring, int count) throws IOException {
        this.count = count;
        ring = arena.allocate(16L * count, 4096);
        buffers = arena.allocate((long) SIZE * count, 4096);
        base = buffers.address();
        MemorySegment reg = arena.allocate(40, 8);
        reg.set(JAVA_LONG, 0, ring.address());
        reg.set(JAVA_INT, 8, count);
        reg.set(JAVA_SHORT, 12, GROUP);
        long r = uring.register(REGISTER_PBUF_RING, reg.address(), 1);
        if (r < 0) {
            throw new IOException("io_uring has no provided buffer rings (Linux 5.19 or newer is needed): "
                    + Native.strerror((int) -r));
        }
        for (int bid = 0; bid < count; bid++) {
            recycle(bid);
        }
        publish();
    }

    /** Where buffer {@code bid} starts. */
    long address(int bid) {
        return base + (long) bid * SIZE;
    }

    /** The kernel filled buffer {@code bid}: one fewer to pick from until it is recycled. */
    void taken() {
        available--;
    }

    int available() {
        return available;
    }

    /** Buffer {@code bid} is free again; the kernel sees it at the next {@link #publish()}. */
    void recycle(int bid) {
        long at = 16L * (tail & (count - 1));
        ring.set(JAVA_LONG, at, address(bid));
        ring.set(JAVA_INT, at + 8, SIZE);
        ring.set(JAVA_SHORT, at + 12, (short) bid);
        tail++;
        available++;
    }

    /** Makes the recycled buffers visible: entries first, then the tail, with release order. */
    void publish() {
        if (tail != published) {
            SHORT.setRelease(ring, TAIL_AT, (short) tail);
            published = tail;
        }
    }
}
