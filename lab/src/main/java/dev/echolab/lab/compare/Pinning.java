package dev.echolab.lab.compare;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the server and the load generator run. With two or more CPUs the server gets CPU 0 and
 * the load generator the rest (taskset), so they don't fight for one core and the server's CPU
 * time per message is its own. With one CPU both share it, and the results say so.
 */
public record Pinning(List<String> server, List<String> loadgen, String description) {

    public static Pinning detect() {
        int cpus = Runtime.getRuntime().availableProcessors();
        boolean taskset = Files.isExecutable(Path.of("/usr/bin/taskset")) || Files.isExecutable(Path.of("/bin/taskset"));
        if (cpus < 2) {
            return new Pinning(List.of(), List.of(), "not pinned: 1 CPU, server and load generator share it");
        }
        if (!taskset) {
            return new Pinning(List.of(), List.of(), "not pinned: taskset not found (install util-linux)");
        }
        String rest = cpus == 2 ? "1" : "1-" + (cpus - 1);
        return new Pinning(List.of("taskset", "-c", "0"), List.of("taskset", "-c", rest),
                "server pinned to CPU 0, load generator to CPU " + rest + " (taskset)");
    }
}
