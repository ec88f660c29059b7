package dev.echolab.server;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link ServerConfig#toArguments()}, the one writer of a server's command line, against the one reader: bin/server. */
class ServerConfigTest {

    @Test
    void theArgumentsItWritesParseBackThroughTheCommandToAnEqualConfig() {
        Random random = new Random(27);
        for (int i = 0; i < 1_000; i++) {
            ServerConfig config = randomConfig(random);
            List<String> args = config.toArguments();
            ServerCommand command = new ServerCommand(quiet(), quiet());
            ServerCommand.commandLine(command).parseArgs(args.toArray(String[]::new));
            assertEquals(config, command.config(), String.join(" ", args));
        }
    }

    @Test
    void countsAndSizesTakeTheirUnits() {
        ServerCommand command = new ServerCommand(quiet(), quiet());
        ServerCommand.commandLine(command).parseArgs("--max-connections", "10k", "--max-buffered", "64MiB");
        assertEquals(10_000, command.config().maxConnections());
        assertEquals(64L << 20, command.config().maxBuffered());
    }

    @Test
    void eachValueIsCheckedHereNamingItsOption() {
        ServerConfig ok = ServerConfig.loopback(Backend.NIO);
        var e = assertThrows(ServerConfig.Invalid.class, () -> ok.withPort(65_536));
        assertEquals("--port", e.option());
        assertEquals("--threads", assertThrows(ServerConfig.Invalid.class, () -> ok.withThreads(-1)).option());
        assertEquals("--offload", assertThrows(ServerConfig.Invalid.class, () -> ok.withWork(Work.NONE, -1)).option());
        assertEquals("--max-connections", assertThrows(ServerConfig.Invalid.class,
                () -> ok.withLimits(-1, Duration.ZERO, 0)).option());
    }

    private static ServerConfig randomConfig(Random random) {
        Backend[] backends = Backend.values();
        Transport[] transports = Transport.values();
        Work work = switch (random.nextInt(3)) {
            case 0 -> Work.NONE;
            case 1 -> new Work(Work.Kind.IO, randomDuration(random));
            default -> new Work(Work.Kind.CPU, randomDuration(random));
        };
        Backend backend = backends[random.nextInt(backends.length)];
        Tally.Mode[] tallies = Tally.Mode.values();
        return new ServerConfig(backend,
                List.of("127.0.0.1", "localhost", "::1", "0.0.0.0").get(random.nextInt(4)),
                random.nextInt(65_536), random.nextInt(3) == 0 ? 0 : random.nextInt(1_000),
                transports[random.nextInt(transports.length)], work, random.nextInt(3) == 0 ? 0 : random.nextInt(1_000),
                random.nextBoolean(), 1 + random.nextInt(Integer.MAX_VALUE),
                random.nextInt(3) == 0 ? Duration.ZERO : randomDuration(random), 1 + (random.nextLong() >>> 1) % Long.MAX_VALUE,
                backend.threadPerConnection() ? tallies[random.nextInt(tallies.length)] : Tally.Mode.NONE);
    }

    /** Whole units and odd nanoseconds, sub-millisecond ones among them: 1500us must stay 1500us. */
    private static Duration randomDuration(Random random) {
        long[] units = {1, 1_000, 1_000_000, 1_000_000_000, 60_000_000_000L};
        long nanos = (1 + random.nextInt(100_000)) * units[random.nextInt(units.length)];
        return Duration.ofNanos(random.nextBoolean() ? nanos : nanos + random.nextInt(1_000));
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }
}
