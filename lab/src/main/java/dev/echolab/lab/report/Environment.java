package dev.echolab.lab.report;

import dev.echolab.common.Children;
import dev.echolab.common.Cli;
import dev.echolab.common.Descriptors;
import dev.echolab.lab.sample.SyscallCost;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.OptionalLong;
import java.util.Map;

/** The facts a reader needs to judge the figures: machine, kernel, JDK, flags, pinning, versions. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public final class Environment {

    public String command;
    public String date;
    public String loadAverage;
    public String cpuModel;
    public int cpus;
    public String kernel;
    public String memory;
    public String openFilesLimit;
    public String jdk;
    public String jvmFlags;
    public String pinning;
    public String loadgenDriver;
    public String echolabVersion;
    public String gitCommit;
    /**
     * What one bare system call cost on this machine as the run began ({@link SyscallCost}): the
     * price of each call a model makes or saves, beside every figure of the run. Null where it cannot be measured.
     */
    public SyscallCost syscallCost;
    public Map<String, Object> settings;

    public static Environment read(Path home, String pinning, String driver, String jvmFlags, Map<String, Object> settings) {
        Environment e = new Environment();
        e.date = OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        e.loadAverage = loadAverage();
        e.cpuModel = firstValue(Path.of("/proc/cpuinfo"), "model name");
        e.cpus = Runtime.getRuntime().availableProcessors();
        e.kernel = System.getProperty("os.name") + " " + read(Path.of("/proc/sys/kernel/osrelease"));
        e.memory = firstValue(Path.of("/proc/meminfo"), "MemTotal");
        e.openFilesLimit = openFilesLimit();
        e.jdk = System.getProperty("java.vm.vendor") + " " + Runtime.version();
        e.jvmFlags = jvmFlags;
        e.pinning = pinning;
        e.loadgenDriver = driver;
        e.echolabVersion = Cli.projectVersion();
        e.gitCommit = gitCommit(home);
        e.syscallCost = SyscallCost.measureOrNull();
        e.settings = settings;
        return e;
    }

    /** How to run this again: {@code bin/lab SUBCOMMAND} and the arguments as given. */
    public static String command(CommandLine.Model.CommandSpec spec) {
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        if (!args.isEmpty() && args.getFirst().equals(spec.name())) {
            args = args.subList(1, args.size()); // parsed as bin/lab's subcommand
        }
        return "bin/lab " + spec.name() + (args.isEmpty() ? "" : " " + String.join(" ", args));
    }

    /** The 1, 5 and 15 minute load averages: how busy the machine was, in the words of uptime. */
    public static String loadAverage() {
        String[] f = read(Path.of("/proc/loadavg")).split(" ");
        return f.length < 3 ? "unknown" : f[0] + " " + f[1] + " " + f[2];
    }

    /**
     * A small /proc file's text. Not {@code Files.readString}: /proc files report a size of 0, so it
     * reads one byte first, and a sysctl of numbers (ip_local_port_range) returns nothing at a
     * non-zero offset: it gets "3". A line reader asks for a whole buffer at once.
     */
    public static String read(Path p) {
        try {
            return String.join("\n", Files.readAllLines(p)).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String firstValue(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException ignored) {
            // not Linux, or not readable: say unknown
        }
        return "unknown";
    }

    private static String openFilesLimit() {
        return describe(Descriptors.softLimit()) + " (hard " + describe(Descriptors.hardLimit()) + ")";
    }

    private static String describe(OptionalLong limit) {
        return limit.isPresent() ? String.valueOf(limit.getAsLong()) : "unlimited or unknown";
    }

    private static String gitCommit(Path home) {
        try {
            Process p = Children.start(new ProcessBuilder("git", "-C", home.toString(), "rev-parse", "--short", "HEAD")
                    .redirectErrorStream(true));
            String out = new String(p.getInputStream().readAllBytes()).strip();
            return p.waitFor() == 0 ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
