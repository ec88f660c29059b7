package dev.echolab.loadgen;

import dev.echolab.loadgen.processes.ChildResult;
import dev.echolab.loadgen.processes.LoadgenProcesses;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code --source}, the shares of {@code --processes} and how children's results combine. */
class SourceAddressesTest {

    @Test
    void readsRangesAndLists() {
        assertEquals("127.0.0.1,127.0.0.2,127.0.0.3", SourceAddresses.parse("127.0.0.1-127.0.0.3").text());
        assertEquals("127.0.0.1,127.0.1.1,127.0.0.254,127.0.0.255,127.0.1.0",
                SourceAddresses.parse("127.0.0.1, 127.0.1.1,127.0.0.254-127.0.1.0").text());
        assertEquals("127.0.0.5", SourceAddresses.parse("127.0.0.5").of(7).getHostAddress());
        SourceAddresses two = SourceAddresses.parse("127.0.0.1-127.0.0.2");
        assertEquals("127.0.0.2", two.of(3).getHostAddress(), "connection i leaves from address i mod k");
    }

    @Test
    void refusesWhatIsNotAnAddressList() {
        for (String bad : List.of("", "localhost", "127.0.0.1-", "127.0.0.256", "127.0.0.3-127.0.0.1", "127.0.0.1-127.0.0.2-127.0.0.3",
                "127.0.0.0-127.0.1.255", "::1")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SourceAddresses.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("'" + bad + "' is not a list of"), e.getMessage());
        }
    }

    @Test
    @Timeout(10)
    void saysWhenTheConnectionsCannotFitInThePorts() {
        long[] range = SourceAddresses.portRange(SourceAddresses.PORT_RANGE);
        assumeTrue(range != null, "no ip_local_port_range to check against");
        int ports = (int) (range[1] - range[0] + 1);
        assertNull(SourceAddresses.KERNEL.check(new int[] {ports}));
        String line = SourceAddresses.KERNEL.check(new int[] {ports / 2 + 1, ports / 2 + 1});
        assertTrue(line != null && line.contains("give at least 2 source addresses, e.g. --source 127.0.0.1-127.0.0.2"), line);
        assertTrue(line.contains(range[0] + "-" + range[1]), line);
        SourceAddresses two = SourceAddresses.parse("127.0.0.1-127.0.0.2");
        assertNull(two.check(new int[] {ports, ports}));
        assertTrue(two.check(new int[] {ports, ports + 2}).contains("give at least 3 source addresses"));
    }

    /** Each child gets its share of the rate and the whole ramp, warm-up and sources: one schedule, split. */
    @Test
    void aChildGetsItsShareOfTheRateAndTheSameRamp() {
        Settings s = Settings.builder().connections(25_000).duration(java.time.Duration.ofSeconds(10))
                .warmup(java.time.Duration.ofSeconds(2)).rate(12_500).driver(DriverKind.NIO).processes(2)
                .sources(SourceAddresses.parse("127.0.0.1-127.0.0.2")).connectRate(10_000)
                .ramp(java.time.Duration.ofMillis(1500)).build();
        List<String> cmd = new LoadgenProcesses(s, System.out, System.err, null).childCommand(1, 12_500);
        String args = String.join(" ", cmd.subList(cmd.indexOf("--child"), cmd.size()));
        assertTrue(args.contains("--connections 12500 "), args);
        assertTrue(args.contains("--rate 6250.0 --ramp 1500ms "), args);
        assertTrue(args.contains("--warmup 2s "), args);
        assertTrue(args.contains("--connect-rate 5000.0"), args);
        assertTrue(args.contains("--source 127.0.0.1,127.0.0.2"), args);
    }

    @Test
    void sharesDifferByAtMostOneLargestFirst() {
        assertArrayEquals(new int[] {34, 33, 33}, LoadgenProcesses.shares(100, 3));
        assertArrayEquals(new int[] {12_500, 12_500}, LoadgenProcesses.shares(25_000, 2));
    }

    @Test
    @Timeout(30)
    void connectionsLeaveFromTheSourceAddressesGiven() throws Exception {
        try (FaultyEchoServer server = new FaultyEchoServer(FaultyEchoServer.Fault.PAUSE_ONCE, Long.MAX_VALUE, 0)) {
            Loadgen r = Loadgen.run("--port", Integer.toString(server.port()), "--driver", "nio", "--connections", "6",
                    "--messages", "2", "--source", "127.0.0.2-127.0.0.3", "--connect-rate", "100");
            assertEquals(0, r.exit(), r::toString);
            assertTrue(r.out().startsWith("loadgen 127.0.0.1:" + server.port()
                    + ": 6 connections from 2 source addresses 127.0.0.2 .. 127.0.0.3, opened at 100 per second"), r::out);
            assertEquals(Set.of(InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.3")), server.peers());
        }
    }

    @Test
    void sourceAndConnectRateNeedTheNioDriverAndProcessesFitTheConnections() {
        assertUsage("'127.0.0.1' is not usable with this driver (use --driver nio)", "--source", "127.0.0.1");
        assertUsage("'100' is not usable with this driver (use --driver nio)", "--connect-rate", "100");
        assertUsage("'4' is not at most one process per connection (--connections)", "--processes", "4", "--connections", "3");
        assertUsage("'0' is not a number of processes from 1 to 64", "--processes", "0");
        assertUsage("'127.0.0.x' is not a list of IPv4 addresses", "--source", "127.0.0.x", "--driver", "nio");
    }

    private static void assertUsage(String expected, String... args) {
        Loadgen r = Loadgen.run(args);
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().contains(expected), r::toString);
    }

    @Test
    void aChildWithoutAResultIsCountedNotLeftOut() {
        Histogram h = new Histogram(3);
        h.recordValue(100);
        ChildResult one = FormatsTest.childResult(new java.util.Random(1), 2, List.of(4L, 6L),
                java.util.Map.of("connect", ChildResult.encode(h), "latency", ChildResult.encode(h)));
        Settings s = Settings.builder().connections(4).duration(java.time.Duration.ofSeconds(1)).warmup(java.time.Duration.ZERO)
                .driver(DriverKind.NIO).processes(2).build();
        Results r = ChildResult.combine(s, List.of(one), List.of("loadgen process 2 (pid 9) gave no result: exit status 137"), 2);
        assertEquals(2, r.connectionsUp());
        assertEquals(2, r.errors(ErrorKind.OTHER));
        assertEquals("loadgen process 2 (pid 9) gave no result: exit status 137", r.errorLine(ErrorKind.OTHER));
        assertEquals(1, r.exitStatus());
        assertEquals(new Results.Fairness(4, 6, 6, 0, 0), r.fairness());
        assertEquals(1, r.latency().count());
        assertThrows(IllegalArgumentException.class, () -> ChildResult.parse("{\"bytes\": 1}"));
    }
}
