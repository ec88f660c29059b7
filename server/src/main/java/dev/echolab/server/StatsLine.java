package dev.echolab.server;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The stats line {@code bin/server} prints at most once a second while something changes:
 * {@code connections=3 accepted=10 waiting=0 bytes=4096}, then {@code rejected=N} and
 * {@code idle-closed=N} once the limits have acted, {@code polls/s=N} when the backend polls, and
 * {@code accepted-per-process=A/B} from a {@code --processes} parent, and {@code restarts=N} once
 * it has replaced a child that ended. Printed and read here only:
 * {@code ServerStats} formats its counters with it, the {@code --processes} parent reads its
 * children's lines with it and prints their sum.
 *
 * @param connections        connections open now
 * @param accepted           connections accepted since start
 * @param waiting            open connections that no thread serves yet (the pool's starvation)
 * @param bytes              bytes echoed since start
 * @param rejected           connections closed at once because {@code --max-connections} were open
 * @param idleClosed         connections closed by {@code --idle-timeout}
 * @param pollsPerSecond     reads attempted per second by the polling backend; empty for the others
 * @param acceptedPerProcess with {@code --processes}, what each process accepted; else empty
 * @param restarts           with {@code --processes}, how many children the parent has started in
 *                           place of one that ended; else 0
 */
public record StatsLine(long connections, long accepted, long waiting, long bytes, long rejected, long idleClosed,
                        OptionalLong pollsPerSecond, List<Long> acceptedPerProcess, long restarts) {

    /** Nothing counted yet: what a process that has printed no line contributes to a sum. */
    public static final StatsLine ZERO = new StatsLine(0, 0, 0, 0, 0, 0, OptionalLong.empty(), List.of());

    private static final String N = "(-?\\d+)";
    private static final Pattern LINE = Pattern.compile("connections=" + N + " accepted=" + N + " waiting=" + N
            + " bytes=" + N + "(?: rejected=" + N + ")?(?: idle-closed=" + N + ")?(?: polls/s=" + N + ")?"
            + "(?: accepted-per-process=(-?\\d+(?:/-?\\d+)*))?(?: restarts=" + N + ")?");

    public StatsLine {
        acceptedPerProcess = List.copyOf(acceptedPerProcess);
    }

    /** A line without restarts: every line but a {@code --processes} parent's. */
    public StatsLine(long connections, long accepted, long waiting, long bytes, long rejected, long idleClosed,
                     OptionalLong pollsPerSecond, List<Long> acceptedPerProcess) {
        this(connections, accepted, waiting, bytes, rejected, idleClosed, pollsPerSecond, acceptedPerProcess, 0);
    }

    /** The stats line in {@code line}, or empty if {@code line} is some other line. */
    public static Optional<StatsLine> parse(String line) {
        Matcher m = LINE.matcher(line.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new StatsLine(number(m, 1), number(m, 2), number(m, 3), number(m, 4), number(m, 5), number(m, 6),
                m.group(7) == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(m.group(7))),
                m.group(8) == null ? List.of() : Arrays.stream(m.group(8).split("/")).map(Long::valueOf).toList(),
                number(m, 9)));
    }

    private static long number(Matcher m, int group) {
        return m.group(group) == null ? 0 : Long.parseLong(m.group(group));
    }

    /** The line of a {@code --processes} parent: the processes' lines summed, and what each accepted. */
    public static StatsLine ofProcesses(List<StatsLine> processes) {
        return ofProcesses(processes, 0);
    }

    /** As {@link #ofProcesses(List)}, with how many children the parent has restarted. */
    public static StatsLine ofProcesses(List<StatsLine> processes, long restarts) {
        StatsLine sum = ZERO;
        for (StatsLine p : processes) {
            OptionalLong polls = sum.pollsPerSecond.isEmpty() && p.pollsPerSecond.isEmpty() ? OptionalLong.empty()
                    : OptionalLong.of(sum.pollsPerSecond.orElse(0) + p.pollsPerSecond.orElse(0));
            sum = new StatsLine(sum.connections + p.connections, sum.accepted + p.accepted, sum.waiting + p.waiting,
                    sum.bytes + p.bytes, sum.rejected + p.rejected, sum.idleClosed + p.idleClosed, polls, List.of());
        }
        return new StatsLine(sum.connections, sum.accepted, sum.waiting, sum.bytes, sum.rejected, sum.idleClosed,
                sum.pollsPerSecond, processes.stream().map(StatsLine::accepted).toList(), restarts);
    }

    @Override
    public String toString() {
        return "connections=" + connections + " accepted=" + accepted + " waiting=" + waiting + " bytes=" + bytes
                + (rejected != 0 ? " rejected=" + rejected : "") + (idleClosed != 0 ? " idle-closed=" + idleClosed : "")
                + (pollsPerSecond.isPresent() ? " polls/s=" + pollsPerSecond.getAsLong() : "")
                + (acceptedPerProcess.isEmpty() ? ""
                        : " accepted-per-process=" + acceptedPerProcess.stream().map(String::valueOf).collect(Collectors.joining("/")))
                + (restarts != 0 ? " restarts=" + restarts : "");
    }
}
