package dev.echolab.loadgen;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code --source}: the local addresses connections leave from. A TCP connection is named by four
 * numbers (source address, source port, server address, server port); to one server port, one
 * source address offers only the kernel's ephemeral ports ({@code net.ipv4.ip_local_port_range},
 * 32768-60999 by default: 28,232). Every address of 127.0.0.0/8 is this machine's own, so
 * {@code --source 127.0.0.1-127.0.0.8} turns 28,232 into 225,856 on loopback, with no set-up.
 *
 * <p>Connection {@code i} of a process binds address {@code i mod k} (port 0: the kernel picks a
 * free one) before it connects. {@link #check} refuses up front, in one line, a run whose
 * connections cannot fit in the ports of the addresses given.
 *
 * @param addresses the addresses in the order given; empty: the kernel's choice (no bind)
 */
public record SourceAddresses(List<InetAddress> addresses) {

    static final SourceAddresses KERNEL = new SourceAddresses(List.of());
    /** More addresses than anyone needs on one machine: 64 x 28,232 ports is past 1.8 million connections. */
    static final int MAX = 256;
    static final Path PORT_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    /**
     * Parses {@code 127.0.0.1-127.0.0.8}, {@code 127.0.0.1,127.0.0.5} or a mix
     * ({@code 127.0.0.1-127.0.0.4,127.0.1.1}): IPv4 addresses and inclusive ranges.
     *
     * @throws IllegalArgumentException with the user's words, for the command line's error line
     */
    static SourceAddresses parse(String text) {
        List<InetAddress> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String[] ends = part.strip().split("-", -1);
            if (ends.length > 2) {
                throw bad(text);
            }
            long first = ipv4(ends[0], text);
            long last = ends.length == 2 ? ipv4(ends[1], text) : first;
            if (last < first || last - first + out.size() >= MAX) {
                throw new IllegalArgumentException("'" + text + "' is not a list of at most " + MAX
                        + " source addresses (ranges go from low to high, e.g. 127.0.0.1-127.0.0.8)");
            }
            for (long a = first; a <= last; a++) {
                out.add(address(a));
            }
        }
        return new SourceAddresses(List.copyOf(out));
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("'" + text + "' is not a list of IPv4 addresses or ranges, e.g. "
                + "127.0.0.1-127.0.0.8 or 127.0.0.1,127.0.0.2");
    }

    private static long ipv4(String s, String text) {
        String t = s.strip();
        if (!t.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw bad(text);
        }
        long v = 0;
        for (String octet : t.split("\\.")) {
            int o = Integer.parseInt(octet);
            if (o > 255) {
                throw bad(text);
            }
            v = v << 8 | o;
        }
        return v;
    }

    private static InetAddress address(long v) {
        byte[] b = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    public boolean isEmpty() {
        return addresses.isEmpty();
    }

    /**
     * The first address that is not this machine's (a socket cannot bind it), or null when every one
     * is. Without this check each connection's bind would fail with "Cannot assign requested
     * address", the kernel's words for running out of ports too, and the run would blame the ports.
     */
    InetAddress notLocal() {
        for (InetAddress a : addresses) {
            try (SocketChannel probe = SocketChannel.open()) {
                probe.bind(new InetSocketAddress(a, 0));
            } catch (IOException e) {
                return a;
            }
        }
        return null;
    }

    /** The address connection {@code id} binds; call only when not empty. */
    public InetAddress of(int id) {
        return addresses.get(id % addresses.size());
    }

    /** As typed back on a child's command line: {@code 127.0.0.1,127.0.0.2}. */
    public String text() {
        return String.join(",", addresses.stream().map(InetAddress::getHostAddress).toList());
    }

    /** For the settings line and the report: {@code 8 source addresses 127.0.0.1-127.0.0.8}. */
    String describe() {
        if (addresses.isEmpty()) {
            return "source address chosen by the kernel";
        }
        String first = addresses.getFirst().getHostAddress();
        String last = addresses.getLast().getHostAddress();
        return addresses.size() == 1 ? "source address " + first
                : addresses.size() + " source addresses " + first + " .. " + last;
    }

    /**
     * One line saying why {@code shares} (the connections of each load-generator process) cannot fit
     * in the local ports, or null when they can (or the port range is unknown). Each process binds
     * connection {@code i} to address {@code i mod k}, so an address carries up to
     * {@code ceil(share / k)} connections of each process; without {@code --source} all go out from
     * one address, the kernel's choice.
     */
    String check(int[] shares) {
        long[] range = portRange(PORT_RANGE);
        if (range == null) {
            return null;
        }
        long ports = range[1] - range[0] + 1;
        int k = Math.max(1, addresses.size());
        long perAddress = 0;
        long total = 0;
        for (int share : shares) {
            perAddress += (share + k - 1) / k;
            total += share;
        }
        if (perAddress <= ports) {
            return null;
        }
        long needed = (total + ports - 1) / ports;
        String over = addresses.isEmpty() ? "one source address" : k + " source address" + (k == 1 ? "" : "es");
        return String.format(Locale.ROOT, "%,d connections to one server port need %,d local ports per address from %s, "
                        + "but the kernel's ephemeral range (%s: %d-%d) has %,d: give at least %d source addresses, "
                        + "e.g. --source 127.0.0.1-127.0.0.%d", total, perAddress, over, PORT_RANGE, range[0], range[1],
                ports, needed, needed);
    }

    /** {@code [low, high]} from a file holding {@code "32768\t60999"}, or null if it cannot be read. */
    static long[] portRange(Path file) {
        try {
            // A line reader asks for a whole buffer at once. Files.readString sees /proc's size of 0, reads
            // one byte first, and a sysctl of numbers returns nothing at a non-zero offset: it would get "3".
            String[] f = Files.readAllLines(file).getFirst().strip().split("\\s+");
            return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
