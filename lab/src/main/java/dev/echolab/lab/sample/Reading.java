package dev.echolab.lab.sample;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;
import java.util.Optional;

/**
 * One reading of a server (a process and every process under it) and of the machine, as
 * {@code bin/lab probe sample} prints it: one JSON object a line, for scripts (bench/) that need
 * what the lab reads from /proc. Cumulative figures (CPU seconds) are since each process started
 * or the machine booted: a window's share is the difference of two readings.
 *
 * @param epochMs when it was read (ms since the epoch)
 * @param server  the server's process tree
 * @param machine every CPU and every TCP socket of the machine
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Reading(long epochMs, Server server, Machine machine) {

    /**
     * @param processes the process and its descendants (a server with {@code --processes N} is N + 1)
     * @param cpuS      user + system CPU seconds, summed
     * @param rssKib    resident memory, summed (shared pages once per process, as {@code ps} shows them)
     * @param threads   threads, summed
     * @param fds       open file descriptors, summed (every connection is one)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Server(int processes, double cpuS, long rssKib, int threads, long fds) {
    }

    /**
     * @param busyS     CPU seconds every CPU was busy ({@link Proc#hostTicks}), steal included
     * @param totalS    CPU seconds of every CPU, busy or not: busy over total is how busy the machine was
     * @param stealS    CPU seconds the hypervisor gave our CPUs to someone else
     * @param tcpMemKib the kernel's TCP socket buffers ({@link Proc#tcpMemoryBytes}), which no RSS shows
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Machine(double busyS, double totalS, double stealS, long tcpMemKib) {
    }

    /** The server at {@code pid} and its descendants now, with the machine; empty if it is gone. */
    public static Optional<Reading> of(long pid) {
        List<Long> pids = Proc.tree(Proc.PROC, pid);
        return Proc.sample(Proc.PROC, pids).map(s -> {
            Proc.HostTicks host = Proc.hostTicks();
            return new Reading(s.epochMs(),
                    new Server(pids.size(), s.cpuSeconds(), s.rssBytes() / 1024, s.threads(), Proc.fds(pids)),
                    new Machine(host.busySeconds(), host.totalSeconds(), host.stealSeconds(), Proc.tcpMemoryBytes() / 1024));
        });
    }
}
