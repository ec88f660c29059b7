package dev.echolab.server.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C the backend calls, and nothing of our own in C: the three io_uring system calls through
 * libc's {@code syscall} (a variadic function, so the linker is told where the variadic arguments
 * begin), and a few plain libc functions ({@code mmap}, {@code close}, {@code shutdown},
 * {@code setsockopt}, {@code eventfd}, {@code write}). Every downcall handle is made once, here.
 *
 * <p>Errors follow the kernel's convention: a call returns {@code -errno}. {@code errno} itself is
 * thread-local in C and the JVM may overwrite it between the call and our next look, so the linker
 * captures it right after the call into a small segment the caller owns ({@link #callState}).
 */
final class Native {

    /** The io_uring system call numbers: the same on x86_64 and aarch64 (new calls share one table). */
    static final long SYS_IO_URING_SETUP = 425;
    static final long SYS_IO_URING_ENTER = 426;
    static final long SYS_IO_URING_REGISTER = 427;

    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EBUSY = 16;
    static final int EINVAL = 22;
    static final int ENOBUFS = 105;
    static final int ENOMEM = 12;
    static final int ENFILE = 23;
    static final int EMFILE = 24;
    static final int ETIME = 62;
    static final int ECANCELED = 125;
    static final int ENOSYS = 38;
    static final int EPERM = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle SYSCALL = LINKER.downcallHandle(LIBC.find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    private static final MethodHandle MMAP = libc("mmap",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), true);
    private static final MethodHandle MUNMAP = libc("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), false);
    private static final MethodHandle CLOSE = libc("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), false);
    private static final MethodHandle SHUTDOWN = libc("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), false);
    private static final MethodHandle SETSOCKOPT = libc("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), false);
    private static final MethodHandle EVENTFD = libc("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), true);
    private static final MethodHandle WRITE = libc("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), false);
    private static final MethodHandle STRERROR = libc("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT), false);

    static final int PROT_READ_WRITE = 0x1 | 0x2;
    static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;
    static final int SHUT_RDWR = 2;
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_NODELAY = 1;
    private static final int EFD_CLOEXEC = 0x80000;

    private Native() {
    }

    private static MethodHandle libc(String name, FunctionDescriptor fd, boolean errno) {
        var symbol = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return errno ? LINKER.downcallHandle(symbol, fd, Linker.Option.captureCallState("errno"))
                : LINKER.downcallHandle(symbol, fd);
    }

    /** Where a thread's calls leave {@code errno}: one per thread that makes system calls. */
    static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    /** {@code syscall(nr, a..f)}: the result, or {@code -errno}. */
    static long syscall(MemorySegment state, long nr, long a, long b, long c, long d, long e, long f) {
        try {
            long r = (long) SYSCALL.invokeExact(state, nr, a, b, c, d, e, f);
            return r == -1 ? -(int) ERRNO.get(state, 0L) : r;
        } catch (Throwable t) {
            throw new AssertionError(t); // a downcall throws only if its handle does not match: a bug here
        }
    }

    /** A shared read-write mapping of {@code fd} at {@code offset}: its address, or {@code -errno}. */
    static long mmap(MemorySegment state, long length, int fd, long offset) {
        try {
            long r = (long) MMAP.invokeExact(state, 0L, length, PROT_READ_WRITE, MAP_SHARED_POPULATE, fd, offset);
            return r == -1 ? -(int) ERRNO.get(state, 0L) : r;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static void munmap(long address, long length) {
        try {
            int ignored = (int) MUNMAP.invokeExact(address, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Ends both directions at once. Closing a descriptor does not end what io_uring still holds on
     * it (each request keeps its own reference to the socket); a shutdown wakes those requests,
     * which complete, let go, and the socket is really closed.
     */
    static void shutdown(int fd) {
        try {
            int ignored = (int) SHUTDOWN.invokeExact(fd, SHUT_RDWR);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** TCP_NODELAY on, as every backend sets it: an echo must not wait for more bytes. {@code one} holds the int 1. */
    static void noDelay(int fd, MemorySegment one) {
        try {
            int ignored = (int) SETSOCKOPT.invokeExact(fd, IPPROTO_TCP, TCP_NODELAY, one, 4);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** A new eventfd: its descriptor, or {@code -errno}. */
    static int eventfd(MemorySegment state) {
        try {
            int r = (int) EVENTFD.invokeExact(state, 0, EFD_CLOEXEC);
            return r == -1 ? -(int) ERRNO.get(state, 0L) : r;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Writes the 8 bytes at {@code value} to {@code fd} (an eventfd: adds them to its counter). */
    static void write8(int fd, MemorySegment value) {
        try {
            long ignored = (long) WRITE.invokeExact(fd, value, 8L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The C library's text for an error number: "Too many open files". */
    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
