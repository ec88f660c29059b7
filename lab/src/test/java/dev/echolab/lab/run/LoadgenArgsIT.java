package dev.echolab.lab.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A case's {@link CaseResult#loadgenArgs} reach the load generator, and its connects per second come back. */
class LoadgenArgsIT {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    @Timeout(120)
    void aCaseReconnectingEveryFiveMessagesReportsItsConnectsPerSecond(@TempDir Path logs) {
        CaseRunner runner = new CaseRunner(new CaseRunner.Setup(List.of(ROOT.resolve("bin/server").toString()),
                List.of(ROOT.resolve("bin/loadgen").toString()), Map.of(), List.of(), List.of(), "nio",
                Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(60), logs));
        runner.kernelBill = false;
        CaseResult plain = runner.run(CaseResult.of("nio", false, "load", 4, "none", 1));
        CaseResult churn = CaseResult.of("nio", false, "load", 4, "none", 1);
        churn.loadgenArgs = List.of("--reconnect-every", "5");
        churn = runner.run(churn);
        assertEquals(CaseResult.Status.ok, plain.status, () -> plain.failure + " " + plain.serverOutput);
        assertEquals(CaseResult.Status.ok, churn.status, String.valueOf(churn.failure));
        assertEquals(0.0, plain.connectsPerS, "no reconnects without the option");
        // One new socket per 5 messages: connects per second is a fifth of the messages per second, to the rounding.
        double expected = churn.msgsPerS / 5;
        double got = churn.connectsPerS;
        assertTrue(got > 0 && Math.abs(got - expected) <= 0.01 * expected + 1, () -> got + " connects/s for " + expected);
    }
}
