package dev.echolab.loadgen;

import dev.echolab.loadgen.processes.LoadgenProcesses;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The settings as a command line: {@link Settings#arguments} written, the picocli command reading it back. */
class SettingsTest {

    /** The options as {@code bin/loadgen} reads them, through the command's own parsing and validation. */
    static Settings read(List<String> args) {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        LoadgenCommand command = new LoadgenCommand(sink, sink);
        LoadgenCommand.commandLine(command).parseArgs(args.toArray(String[]::new));
        return command.settings();
    }

    @Test
    void randomSettingsSurviveTheCommandLineExactly() {
        Random random = new Random(27);
        for (int i = 0; i < 500; i++) {
            Settings s = random(random);
            assertEquals(s, read(s.arguments()), () -> String.join(" ", s.arguments()));
        }
    }

    /** {@code bin/loadgen --processes 2 --timeout 1500us}: each child reads 1500us, not a rounded 1ms. */
    @Test
    void childrenGetSubMillisecondDurationsExactly() {
        Settings parent = read(List.of("--processes", "2", "--connections", "4", "--timeout", "1500us",
                "--connect-timeout", "2500us", "--warmup", "1ms", "--duration", "1500500ns"));
        List<String> cmd = new LoadgenProcesses(parent, System.out, System.err, null).childCommand(1, 2);
        List<String> args = cmd.subList(cmd.indexOf("--child") + 1, cmd.size());
        assertEquals("1500us", args.get(args.indexOf("--timeout") + 1), args::toString);
        Settings child = read(args);
        assertEquals(Duration.ofNanos(1_500_000), child.timeout());
        assertEquals(Duration.ofNanos(2_500_000), child.connectTimeout());
        assertEquals(Duration.ofNanos(1_500_500), child.duration());
        assertEquals(2, child.connections());
        assertEquals(1, child.processes());
    }

    private static Settings random(Random r) {
        DriverKind driver = DriverKind.values()[r.nextInt(DriverKind.values().length)];
        int connections = 1 + r.nextInt(5000);
        long messages = r.nextBoolean() ? 0 : 1 + r.nextInt(100_000);
        boolean openLoop = r.nextBoolean();
        Duration warmup = duration(r, 0);
        Settings.Builder b = Settings.builder().host(r.nextBoolean() ? "127.0.0.1" : "localhost")
                .port(1 + r.nextInt(65_535)).connections(connections).warmup(warmup).messages(messages)
                .size(r.nextInt(4096)).pipeline(1 + r.nextInt(16)).driver(driver).selectors(1 + r.nextInt(64))
                .processes(1 + r.nextInt(Math.min(LoadgenProcesses.MAX, connections)))
                .connectTimeout(duration(r, 1)).timeout(duration(r, 1)).verbose(r.nextBoolean());
        if (r.nextBoolean()) {
            b.duration(duration(r, 1));
        }
        if (openLoop) {
            b.rate(r.nextDouble() * 1e9 + 1e-3);
            Duration warm = messages > 0 ? Duration.ZERO : warmup;
            b.ramp(Duration.ofNanos((long) (r.nextDouble() * warm.toNanos())));
        }
        if (driver == DriverKind.NIO && r.nextBoolean()) {
            b.sources(SourceAddresses.parse("127.0.0.1-127.0.0." + (1 + r.nextInt(8))));
            b.connectRate(r.nextDouble() * 1e7 + 1e-3);
        }
        if (r.nextBoolean()) {
            b.reconnectEvery(1 + r.nextInt(1_000_000));
        }
        if (r.nextBoolean()) {
            b.reconnectAttempts(1 + r.nextInt(1_000_000));
        }
        List<Path> files = new ArrayList<>();
        for (int f = 0; f < 3; f++) {
            files.add(r.nextBoolean() ? null : Path.of("target", "run-" + r.nextInt(1000) + ".out"));
        }
        Settings s = b.json(files.get(0)).jsonStream(files.get(1)).hlog(files.get(2)).build();
        assertTrue(s.arguments().size() > 10);
        return s;
    }

    /** At least {@code minMillis}, often not a whole number of milliseconds (or of microseconds). */
    private static Duration duration(Random r, int minMillis) {
        long nanos = minMillis * 1_000_000L + switch (r.nextInt(4)) {
            case 0 -> r.nextInt(100_000) * 1_000_000_000L; // whole seconds
            case 1 -> r.nextInt(100_000_000) * 1_000L; // microseconds
            case 2 -> (long) r.nextInt(1_000_000_000); // nanoseconds
            default -> r.nextInt(1000) * 60_000_000_000L; // minutes
        };
        return Duration.ofNanos(nanos);
    }
}
