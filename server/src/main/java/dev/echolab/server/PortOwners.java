package dev.echolab.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Who listens on a port, read from Linux's socket tables ({@code /proc/net/tcp} and
 * {@code tcp6}) and from the processes' descriptor tables ({@code /proc/PID/fd}). Sockets are
 * named by inode in both, so "the listeners on port 8080 that are not our children's" is a set
 * difference.
 *
 * <p>{@code ProcessGroup} needs it because {@code SO_REUSEPORT} lets any process of the same user
 * join a port that is already shared: a check before the children bind cannot rule out a program
 * that binds in between, but a look after they have bound can.
 */
final class PortOwners {

    private static final String LISTEN = "0A";

    private PortOwners() {
    }

    /**
     * Sockets listening on {@code port} at an address that receives connections meant for
     * {@code host} (the same address, or a wildcard on either side), and held by none of
     * {@code pids}; empty when /proc cannot be read (not Linux).
     */
    static Set<Long> othersListening(String host, int port, List<Long> pids) {
        try {
            InetAddress ours = InetAddress.getByName(host);
            Set<Long> others = new HashSet<>();
            for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
                others.addAll(listeners(Path.of(table), ours, port));
            }
            for (long pid : pids) {
                others.removeAll(sockets(pid));
            }
            return others;
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
    }

    /** Inodes of the LISTEN sockets in one table whose port is {@code port} and address overlaps {@code ours}. */
    private static Set<Long> listeners(Path table, InetAddress ours, int port) throws IOException {
        Set<Long> inodes = new HashSet<>();
        if (!Files.isReadable(table)) {
            return inodes;
        }
        List<String> lines = Files.readAllLines(table);
        for (String line : lines.subList(1, lines.size())) {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
            String[] f = line.strip().split("\\s+");
            String[] local = f[1].split(":");
            if (f[3].equals(LISTEN) && Integer.parseInt(local[1], 16) == port && overlaps(address(local[0]), ours)) {
                inodes.add(Long.parseLong(f[9]));
            }
        }
        return inodes;
    }

    /** Inodes of the sockets process {@code pid} holds ({@code /proc/PID/fd/N -> socket:[inode]}). */
    private static Set<Long> sockets(long pid) throws IOException {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while we listed them: not a listener of ours
                }
            }
        }
        return inodes;
    }

    /**
     * The kernel prints an address as 32-bit words in host (little-endian) order: 127.0.0.1 is
     * {@code 0100007F}; an IPv6 address is four such words. An IPv4-mapped IPv6 address comes back
     * as the IPv4 address ({@link InetAddress#getByAddress(byte[])} does that).
     */
    private static InetAddress address(String hex) throws UnknownHostException {
        byte[] words = HexFormat.of().parseHex(hex);
        byte[] bytes = new byte[words.length];
        for (int w = 0; w < words.length; w += 4) {
            for (int i = 0; i < 4; i++) {
                bytes[w + i] = words[w + 3 - i];
            }
        }
        return InetAddress.getByAddress(bytes);
    }

    private static boolean overlaps(InetAddress a, InetAddress b) {
        return a.isAnyLocalAddress() || b.isAnyLocalAddress() || a.equals(b);
    }
}
