package dev.echolab.lab.sample;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The cost of a system call is the kernel's part only: getppid less a call of the same shape that makes none. */
class SyscallCostTest {

    @Test
    void aSystemCallCostsMoreThanAPlainCallAndTheMedianLiesWithinItsRounds() {
        assumeTrue(SyscallCost.unavailable().isEmpty(), "needs libc and native access");
        SyscallCost c = SyscallCost.measure(9, 2_000);
        // Entering and leaving the kernel takes tens of nanoseconds on any machine; a figure of 0
        // would mean the two loops were the same (the plain call measured twice, or getppid's result cached).
        assertTrue(c.us > 0.005, "one system call costs something, got " + c.us + " us");
        assertTrue(c.minUs <= c.us && c.us <= c.maxUs, "median within min and max: " + SyscallCost.describe(c));
        assertEquals(9, c.rounds);
        assertTrue(SyscallCost.describe(c).matches("\\d+\\.\\d{3} us per call \\(.*over 9 rounds\\)"), SyscallCost.describe(c));
    }
}
