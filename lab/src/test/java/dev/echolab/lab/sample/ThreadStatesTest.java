package dev.echolab.lab.sample;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Where a server's threads are, from a /proc written by the test as Linux writes it. */
class ThreadStatesTest {

    /** A thread: its stat line (name in parentheses, then the state), syscall and wchan files; null leaves a file out. */
    static void task(Path proc, long pid, long tid, String name, String state, String syscall, String wchan) throws IOException {
        Path t = proc.resolve(pid + "/task/" + tid);
        Files.createDirectories(t);
        Files.writeString(t.resolve("stat"), tid + " (" + name + ") " + state + " 1 " + pid + " 0 0 0 -1 4194560 0 0\n");
        if (syscall != null) {
            Files.writeString(t.resolve("syscall"), syscall + "\n");
        }
        if (wchan != null) {
            Files.writeString(t.resolve("wchan"), wchan);
        }
    }

    /**
     * A blocking server (100): three connection threads in read (x86_64: 0), one in accept (43), two
     * JVM threads in futex (202), one on a CPU; and a child process (101) whose loop sleeps in
     * epoll_wait (232) and whose other thread was preempted in user space (-1).
     */
    static void server(Path proc) throws IOException {
        for (int i = 0; i < 3; i++) {
            task(proc, 100, 110 + i, "conn-" + i, "S", "0 0x5 0x7f0000001000 0x4000 0x0 0x0 0x0 0x7ffc 0x7f00", "wait_woken");
        }
        task(proc, 100, 120, "acceptor", "S", "43 0x4 0x0 0x0 0x0 0x0 0x0 0x7ffc 0x7f00", "inet_csk_accept");
        task(proc, 100, 121, "GC Thread#0", "S", "202 0x7f 0x80 0x0 0x0 0x0 0x0 0x7ffc 0x7f00", "futex_do_wait");
        task(proc, 100, 122, "C2 CompilerThre) S", "S", "202 0x7f 0x80 0x0 0x0 0x0 0x0 0x7ffc 0x7f00", "futex_do_wait");
        task(proc, 100, 123, "worker", "R", "running", "0");
        task(proc, 101, 130, "loop", "S", "232 0x3 0x7f 0x400 0xffffffff 0x0 0x0 0x7ffc 0x7f00", "do_epoll_wait");
        task(proc, 101, 131, "spin", "R", "-1 0x7ffc 0x401000", "0");
    }

    @Test
    void threadsAreGroupedByStateSystemCallAndWaitChannelLargestFirst(@TempDir Path proc) throws IOException {
        server(proc);
        Map<Integer, String> x86 = ThreadStates.Syscalls.table("amd64");
        List<ThreadStates.Group> groups = ThreadStates.snapshot(proc, List.of(100L, 101L, 999L), x86);

        assertEquals(List.of(new ThreadStates.Group(3, "S", "read", "wait_woken"),
                new ThreadStates.Group(2, "S", "futex", "futex_do_wait"),
                new ThreadStates.Group(1, "R", "running", null),
                new ThreadStates.Group(1, "R", "user", null),
                new ThreadStates.Group(1, "S", "accept", "inet_csk_accept"),
                new ThreadStates.Group(1, "S", "epoll_wait", "do_epoll_wait")), groups);
        assertEquals(3, ThreadStates.in(groups, List.of("read", "recvfrom")));
        assertEquals("3 sleeping in read (wait_woken), 2 sleeping in futex (futex_do_wait), 1 runnable, "
                + "1 runnable in user space, 1 sleeping in accept (inet_csk_accept), 1 other", ThreadStates.summary(groups));
    }

    @Test
    void unreadableFilesLeaveThatPartUnknown(@TempDir Path proc) throws IOException {
        task(proc, 100, 100, "java", "S", null, null);
        task(proc, 100, 101, "java", "S", "9999 0x0", "some_wait");
        List<ThreadStates.Group> groups = ThreadStates.snapshot(proc, List.of(100L), ThreadStates.Syscalls.table("amd64"));
        assertEquals(List.of(new ThreadStates.Group(1, "S", null, null), new ThreadStates.Group(1, "S", "syscall 9999", "some_wait")),
                groups);
        assertEquals("1 sleeping, 1 sleeping in syscall 9999 (some_wait)", ThreadStates.summary(groups));
    }

    @Test
    void theArchitecturesNumberTheirCallsDifferently() {
        assertEquals("read", ThreadStates.Syscalls.table("amd64").get(0));
        assertEquals("read", ThreadStates.Syscalls.table("aarch64").get(63));
        assertEquals("epoll_pwait", ThreadStates.Syscalls.table("aarch64").get(22));
        assertEquals(Map.of(), ThreadStates.Syscalls.table("s390x"), "unknown: numbers are shown as numbers");
    }

    /**
     * The tables agree with Linux's own headers where they are installed (linux-libc-dev, which
     * gcc's libc6-dev brings): x86_64's unistd_64.h and the generic unistd.h that aarch64 uses.
     */
    @Test
    void theTablesAgreeWithLinuxsHeaders() throws IOException {
        checkAgainst("amd64", Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h"));
        checkAgainst("aarch64", Path.of("/usr/include/asm-generic/unistd.h"));
    }

    private static void checkAgainst(String arch, Path header) throws IOException {
        if (!Files.exists(header)) {
            System.out.println("not checked against " + header + ": not installed");
            return;
        }
        String h = Files.readString(header);
        ThreadStates.Syscalls.table(arch).forEach((nr, name) -> {
            var m = java.util.regex.Pattern.compile("#define __NR(?:3264)?_" + name + "\\s+(\\d+)").matcher(h);
            if (m.find()) { // a header older than the call does not have it
                assertEquals(nr.intValue(), Integer.parseInt(m.group(1)), arch + " " + name + " in " + header);
            }
        });
    }
}
