package dev.echolab.lab.report;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The environment block reads /proc in full. */
class EnvironmentTest {

    /** A sysctl of numbers gives only its first byte to a reader that starts with one byte (Files.readString). */
    @Test
    void readsASysctlOfNumbersInFull() {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        assumeTrue(Files.isReadable(range), "needs Linux's /proc/sys");
        String text = Environment.read(range);
        assertTrue(text.matches("\\d+\\s+\\d+"), "two port numbers, got '" + text + "'");
    }
}
