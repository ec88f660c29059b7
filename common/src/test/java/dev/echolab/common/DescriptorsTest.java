package dev.echolab.common;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DescriptorsTest {

    @TempDir
    Path dir;

    @Test
    void readsTheSoftLimitFromProcLimits() throws IOException {
        Path limits = dir.resolve("limits");
        Files.writeString(limits, """
                Limit                     Soft Limit           Hard Limit           Units
                Max processes             95532                95532                processes
                Max open files            1024                 524288               files
                """);
        assertEquals(OptionalLong.of(1024), Descriptors.softLimit(limits));
        Files.writeString(limits, "Max open files            unlimited            unlimited            files\n");
        assertEquals(OptionalLong.empty(), Descriptors.softLimit(limits));
        assertEquals(OptionalLong.empty(), Descriptors.softLimit(dir.resolve("missing")));
    }

    @Test
    void thisProcesssLimitsAndOpenDescriptorsAreRead() throws IOException {
        long soft = Descriptors.softLimit().orElseThrow();
        long hard = Descriptors.hardLimit().orElse(Long.MAX_VALUE);
        assertTrue(soft > 0 && soft <= hard, "soft " + soft + ", hard " + hard);
        long before = Descriptors.open().orElseThrow();
        try (var one = Files.newInputStream(Path.of("/proc/self/limits"))) {
            assertTrue(Descriptors.open().orElseThrow() > before, "a file opened is a descriptor more");
        }
    }
}
