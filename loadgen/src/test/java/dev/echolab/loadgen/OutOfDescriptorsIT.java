package dev.echolab.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import dev.echolab.common.Descriptors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The load generator runs out of file descriptors after its up-front check has passed, as it would
 * if the limit were lowered or something else in the process held them: {@link HeldDescriptors}
 * takes all but a few, so connects fail with "Too many open files". The server is
 * {@code bin/server} in a child process, so its descriptors are its own. Every driver must count
 * what could not be opened, run on the connections it has, and never crash or hang.
 *
 * <p>The partial case runs in a fresh JVM, because that is where it went wrong: the JDK loads its
 * socket libraries and virtual-thread pollers at first use, and with no descriptor left that first
 * use fails for good. The case where nothing opens runs in-process, where a count is exact.
 */
class OutOfDescriptorsIT {

    private static final int REQUESTED = 40;
    /** Descriptors left: fewer than REQUESTED, and more than the selector or the pollers take. */
    private static final int FREE = 12;
    private static final int MESSAGES = 50;
    private static final String CAUSE = "Too many open files (raise ulimit -n)";

    private static final String JAVA = ProcessHandle.current().info().command().orElseThrow();
    /**
     * The launcher's one jar first, as {@code bin/loadgen} runs it, then this test's classes. Not
     * the test's own class path: its many jars are opened at their first class, and each takes a
     * descriptor the connections would then not get.
     */
    private static final String CLASS_PATH = ServerProcess.ROOT.resolve("loadgen/target/echolab-loadgen.jar")
            + File.pathSeparator + ServerProcess.ROOT.resolve("loadgen/target/test-classes");

    private static ServerProcess server;

    @BeforeAll
    static void startServer() throws Exception {
        long limit = Descriptors.softLimit().orElse(-1);
        assumeTrue(limit > 0 && limit <= 100_000, "taking every descriptor needs a modest limit, not " + limit);
        // bin/loadgen (re)builds the jar the child runs when it is missing or older than the sources.
        Loadgen version = Loadgen.child(List.of(ServerProcess.ROOT.resolve("bin/loadgen").toString(), "--version"));
        assertEquals(0, version.exit(), version::toString);
        server = new ServerProcess();
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @EnumSource(DriverKind.class)
    @Timeout(60)
    void runsOnTheConnectionsItCouldOpenAndCountsTheRest(DriverKind driver) throws Exception {
        Loadgen.WithJson run = Loadgen.childWithJson(List.of(JAVA, "-cp", CLASS_PATH, HeldDescriptors.class.getName(),
                Integer.toString(FREE), "--port", Integer.toString(server.port()),
                "--connections", Integer.toString(REQUESTED), "--messages", Integer.toString(MESSAGES),
                "--duration", "10s", "--driver", driver.id()));
        Loadgen r = run.run();
        assertEquals(1, r.exit(), r::toString);
        // A connection left hanging would hold the run to --duration (10 s).
        assertTrue(r.millis() < 10_000, r::toString);
        assertTrue(r.out().contains("Connect: "), r::toString);
        JsonNode doc = run.doc();
        long up = (long) Loadgen.number(doc, "/connections");
        long notOpened = (long) Loadgen.number(doc, "/errors_by_kind/local_limit");
        assertTrue(up > 0 && up < FREE, r + "\n" + doc);
        assertEquals(REQUESTED - up, notOpened, doc::toString);
        // Nothing else went wrong, and every connection that opened echoed all its messages exactly.
        assertEquals(notOpened, Loadgen.number(doc, "/errors"), doc::toString);
        assertEquals(0, Loadgen.number(doc, "/mismatches"), doc::toString);
        assertEquals(up * MESSAGES, Loadgen.number(doc, "/verified"), doc::toString);
        assertEquals(MESSAGES, Loadgen.number(doc, "/fairness/min_msgs"), doc::toString);
        assertEquals(MESSAGES, Loadgen.number(doc, "/fairness/max_msgs"), doc::toString);
        assertEquals(CAUSE, Loadgen.text(doc, "/first_errors/local_limit"), doc::toString);
        String line = notOpened + " of " + REQUESTED + " connections could not be opened: " + CAUSE;
        assertTrue(r.out().contains("Connect: " + up + " of " + REQUESTED + " up"), r::toString);
        assertTrue(r.out().contains(line), r::toString);
        assertEquals(line + "\n", r.err(), r::toString);
    }

    @ParameterizedTest
    @EnumSource(DriverKind.class)
    @Timeout(60)
    void saysSoInOneLineWhenNoConnectionCanBeOpened(DriverKind driver) throws Exception {
        String[] args = {"--port", Integer.toString(server.port()), "--connections", "5", "--messages", "1",
                "--driver", driver.id()};
        assertEquals(0, Loadgen.run(args).exit(), "a run with descriptors to spare");
        Loadgen r;
        try (HeldDescriptors held = HeldDescriptors.allBut(0)) {
            r = Loadgen.run(args);
        }
        assertEquals(1, r.exit(), r::toString);
        assertEquals("5 of 5 connections could not be opened: " + CAUSE + System.lineSeparator(), r.err(), r::toString);
        assertFalse(r.out().contains("Messages/sec"), r::toString);
        // Nothing to wait for: no connection, so no timeout to run out.
        assertTrue(r.millis() < 5_000, r::toString);
    }
}
