package dev.echolab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.echolab.server.EchoServers.roundTrip;
import static dev.echolab.server.LimitsTest.assertClosedByServer;
import static dev.echolab.server.ServerLauncherIT.assertNoStackTrace;
import static dev.echolab.server.ServerLauncherIT.reader;
import static dev.echolab.server.ServerLauncherIT.run;
import static dev.echolab.server.ServerLauncherIT.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The limit options as a user types them into {@code bin/server}: help, configuration line, stats, usage errors. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LimitsLauncherIT {

    @Test
    void helpDocumentsEveryLimit() throws Exception {
        String help = String.join("\n", run("--help").out());
        for (String option : List.of("--max-connections", "--idle-timeout", "--max-buffered")) {
            assertTrue(help.contains(option), option + " in --help:\n" + help);
        }
    }

    @Test
    void rejectsBeyondTheCapClosesIdleConnectionsAndCountsBoth() throws Exception {
        Process p = start("--backend", "virtual", "--port", "0", "--max-connections", "2", "--idle-timeout", "500ms");
        List<Socket> open = new ArrayList<>();
        try {
            BufferedReader out = reader(p);
            String config = out.readLine();
            assertTrue(config.contains("max-connections=2") && config.contains("idle-timeout=500ms"), config);
            int port = ReadyLine.parse(out.readLine()).orElseThrow().port();
            for (int i = 0; i < 3; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                open.add(s);
            }
            roundTrip(open.get(0), "first\n");
            roundTrip(open.get(1), "second\n");
            assertClosedByServer(open.get(2)); // the third is over the cap
            assertClosedByServer(open.get(0)); // then silence: the idle timeout closes the others
            assertClosedByServer(open.get(1));
            String stats = awaitStatsLine(out, "idle-closed=2");
            assertTrue(stats.contains("rejected=1"), stats);
        } finally {
            for (Socket s : open) {
                s.close();
            }
            p.toHandle().destroy();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue());
    }

    @Test
    void badLimitsAreUsageErrors() throws Exception {
        for (String[] args : List.of(new String[] {"--idle-timeout", "soon"}, new String[] {"--max-connections", "0"},
                new String[] {"--max-buffered", "-1"})) {
            ServerLauncherIT.Result r = run(args);
            assertEquals(2, r.exit(), String.join(" ", args));
            assertNoStackTrace(r);
        }
    }

    private static String awaitStatsLine(BufferedReader out, String wanted) throws Exception {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.contains(wanted)) {
                return line;
            }
        }
        throw new AssertionError("no stats line with " + wanted);
    }
}
