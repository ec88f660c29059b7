package dev.echolab.lab.render;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel-bill table reads each counted load case's {@code kernel_bill} and leaves out the disturbed ones. */
class KernelViewTest {

    @Test
    void theMedianOfTheCountedRepetitionsPerServer(@TempDir Path data) throws IOException {
        Files.createDirectories(data.resolve("run"));
        Files.writeString(data.resolve("run/results.json"), """
                {"summary": [
                   {"backend": "c-epoll", "reference": true, "scenario": "load", "connections": 500, "work": "none", "cpu_us_per_msg": 7.0},
                   {"backend": "nio", "reference": false, "scenario": "load", "connections": 500, "work": "none", "cpu_us_per_msg": 8.0}],
                 "cases": [
                   %s, %s, %s, %s]}
                """.formatted(bill("c-epoll", true, "ok", 2.05, 0.05, 0.0), bill("nio", false, "ok", 2.10, 0.10, 0.02),
                bill("nio", false, "ok", 2.30, 0.30, 0.04), bill("nio", false, "disturbed", 9.0, 9.0, 9.0)));
        String table = Views.kernel(Dataset.load(data, "run"), "none", null);
        assertTrue(table.contains("| c-epoll (peer) | 2.050 | 1.000 | 1.000 | 0.050 | 0.000 | 0.000 | 0.000 | 0.000 |"), table);
        assertTrue(table.contains("| nio | 2.200 | 1.000 | 1.000 | 0.200 | 0.000 | 0.000 | 0.000 | 0.030 |"), table);
        assertTrue(table.indexOf("c-epoll") < table.indexOf("| nio"), "the reference first");
    }

    @Test
    void aRunWithoutABillSaysSo(@TempDir Path data) throws IOException {
        Files.createDirectories(data.resolve("run"));
        Files.writeString(data.resolve("run/results.json"), """
                {"summary": [], "cases": [{"backend": "nio", "scenario": "load", "connections": 500, "work": "none", "verdict": "ok"}]}
                """);
        assertTrue(Views.kernel(Dataset.load(data, "run"), "none", null).startsWith("No kernel bill in dataset run"));
    }

    private static String bill(String backend, boolean reference, String verdict, double total, double epollWait, double switches) {
        return """
                {"backend": "%s", "reference": %s, "scenario": "load", "connections": 500, "work": "none", "verdict": "%s",
                 "kernel_bill": {"syscalls_per_msg": {"read": 1.0, "write": 1.0, "epoll_wait": %s, "epoll_ctl": 0.0,
                                                      "futex": 0.0, "io_uring_enter": 0.0, "other": 0.0, "total": %s},
                                 "voluntary_ctx_switches_per_msg": %s, "involuntary_ctx_switches_per_msg": 0.0}}
                """.formatted(backend, reference, verdict, epollWait, total, switches);
    }
}
