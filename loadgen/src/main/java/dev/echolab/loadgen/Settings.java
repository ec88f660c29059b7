package dev.echolab.loadgen;

import dev.echolab.common.Durations;
import dev.echolab.loadgen.output.Report;
import dev.echolab.loadgen.processes.LoadgenProcesses;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The effective settings of one run, validated by {@link LoadgenCommand}. Printed as the first
 * output line and copied into the JSON, so every result says how it was obtained.
 *
 * <p>Built by name ({@link #builder}), never by position: a run has seven durations and two rates,
 * and a positional call would let two of them swap without a compiler noticing. The same settings
 * cross a process as a command line: {@link #arguments} writes the options that {@code bin/loadgen}
 * (the picocli command, {@link LoadgenCommand}) reads back into equal settings, durations exact to
 * the nanosecond ({@link Durations#format}). {@code --processes} gives its children their
 * command lines this way, and the lab its load generator's.
 */
public final class Settings {

    static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);
    static final Duration DEFAULT_BOUND = Duration.ofMinutes(10);

    private final String host;
    private final int port;
    private final int connections;
    private final Duration duration;
    private final Duration bound;
    private final Duration warmup;
    private final long messages;
    private final int size;
    private final int pipeline;
    private final double rate;
    private final Duration ramp;
    private final DriverKind driver;
    private final int selectors;
    private final int processes;
    private final SourceAddresses sources;
    private final double connectRate;
    private final long reconnectEvery;
    private final int reconnectAttempts;
    private final Duration connectTimeout;
    private final Duration timeout;
    private final Path json;
    private final Path jsonStream;
    private final Path hlog;
    private final boolean verbose;
    private final Targets targets;

    private Settings(Builder b) {
        host = b.host;
        port = b.port;
        connections = b.connections;
        duration = b.duration;
        bound = b.bound;
        warmup = b.warmup;
        messages = b.messages;
        size = b.size;
        pipeline = b.pipeline;
        rate = b.rate;
        ramp = b.ramp;
        driver = b.driver;
        selectors = b.selectors;
        processes = b.processes;
        sources = b.sources;
        connectRate = b.connectRate;
        reconnectEvery = b.reconnectEvery;
        reconnectAttempts = b.reconnectAttempts;
        connectTimeout = b.connectTimeout;
        timeout = b.timeout;
        json = b.json;
        jsonStream = b.jsonStream;
        hlog = b.hlog;
        verbose = b.verbose;
        targets = b.targets;
    }

    /** The command's defaults: 500 connections to 127.0.0.1:8080, 10 s after 2 s of warm-up, closed loop. */
    public static Builder builder() {
        return new Builder();
    }

    /** These settings, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.connections = connections;
        b.duration = duration;
        b.bound = bound;
        b.warmup = warmup;
        b.messages = messages;
        b.size = size;
        b.pipeline = pipeline;
        b.rate = rate;
        b.ramp = ramp;
        b.driver = driver;
        b.selectors = selectors;
        b.processes = processes;
        b.sources = sources;
        b.connectRate = connectRate;
        b.reconnectEvery = reconnectEvery;
        b.reconnectAttempts = reconnectAttempts;
        b.connectTimeout = connectTimeout;
        b.timeout = timeout;
        b.json = json;
        b.jsonStream = jsonStream;
        b.hlog = hlog;
        b.verbose = verbose;
        b.targets = targets;
        return b;
    }

    /**
     * The options of {@code bin/loadgen} that give these settings: every one written, so a reader
     * of a child's command line sees the whole run, and none left to a default that could differ
     * between the writer and the reader.
     */
    public List<String> arguments() {
        List<String> a = new ArrayList<>();
        add(a, "--host", host, "--port", port, "--connections", connections);
        if (!(duration.equals(DEFAULT_DURATION) && bound.equals(DEFAULT_BOUND))) {
            add(a, "--duration", Durations.format(duration));
        }
        add(a, "--warmup", Durations.format(warmup));
        if (messages > 0) {
            add(a, "--messages", messages);
        }
        add(a, "--size", size, "--pipeline", pipeline);
        if (rate > 0) {
            add(a, "--rate", rate);
        }
        add(a, "--ramp", Durations.format(ramp), "--driver", driver.id(), "--selectors", selectors, "--processes", processes);
        if (!sources.isEmpty()) {
            add(a, "--source", sources.text());
        }
        if (connectRate > 0) {
            add(a, "--connect-rate", connectRate);
        }
        if (reconnectEvery > 0) {
            add(a, "--reconnect-every", reconnectEvery);
        }
        if (reconnectAttempts > 0) {
            add(a, "--reconnect-on-fault", "--reconnect-attempts", reconnectAttempts);
        }
        add(a, "--connect-timeout", Durations.format(connectTimeout), "--timeout", Durations.format(timeout));
        for (Object[] file : new Object[][] {{"--json", json}, {"--json-stream", jsonStream}, {"--hlog", hlog}}) {
            if (file[1] != null) {
                add(a, file);
            }
        }
        targets.addArguments(a);
        if (verbose) {
            a.add("--verbose");
        }
        return a;
    }

    private static void add(List<String> a, Object... values) {
        for (Object v : values) {
            a.add(String.valueOf(v));
        }
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public int connections() {
        return connections;
    }

    /** The measured time after the warm-up (without {@code --messages}). */
    public Duration duration() {
        return duration;
    }

    /** With {@code --messages}: the safety time limit of the measurement. */
    public Duration bound() {
        return bound;
    }

    public Duration warmup() {
        return warmup;
    }

    /** Messages per connection, 0 for "until the duration is over". */
    public long messages() {
        return messages;
    }

    /** Pad messages to this many bytes, 0 for their natural length. */
    public int size() {
        return size;
    }

    public int pipeline() {
        return pipeline;
    }

    /** Total messages per second across all connections (open loop), 0 for closed loop. */
    public double rate() {
        return rate;
    }

    /** Open loop: the rate rises from 0 to {@link #rate} over this part of the warm-up ({@code --ramp}). */
    public Duration ramp() {
        return ramp;
    }

    public DriverKind driver() {
        return driver;
    }

    public int selectors() {
        return selectors;
    }

    /** Load-generator processes sharing the connections ({@link LoadgenProcesses}); 1: this one. */
    public int processes() {
        return processes;
    }

    /** Local addresses the connections leave from ({@code --source}). */
    public SourceAddresses sources() {
        return sources;
    }

    /** New connections per second in all, 0 for as fast as handshakes complete. */
    public double connectRate() {
        return connectRate;
    }

    /** Close and reopen each connection after this many verified messages ({@code --reconnect-every}), 0 for never. */
    public long reconnectEvery() {
        return reconnectEvery;
    }

    /**
     * {@code --reconnect-on-fault}: how many reconnects in a row a connection may try, with a back-off, after its
     * socket failed, before it gives up ({@code --reconnect-attempts}); 0 without the option (a failure ends it).
     */
    public int reconnectAttempts() {
        return reconnectAttempts;
    }

    public boolean reconnectOnFault() {
        return reconnectAttempts > 0;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration timeout() {
        return timeout;
    }

    public Path json() {
        return json;
    }

    /** {@code --json-stream}: one object a second and the report, or null; {@code -} is stdout. */
    public Path jsonStream() {
        return jsonStream;
    }

    public Path hlog() {
        return hlog;
    }

    public boolean verbose() {
        return verbose;
    }

    /** What the run must achieve beyond correctness ({@code --max-p99} and the rest). */
    public Targets targets() {
        return targets;
    }

    public boolean openLoop() {
        return rate > 0;
    }

    /** What the run measures for: the duration, or with --messages the safety bound. */
    public Duration measureLimit() {
        return messages > 0 ? bound : duration;
    }

    /** --messages counts every message, so there is no warm-up to throw away. */
    public Duration effectiveWarmup() {
        return messages > 0 ? Duration.ZERO : warmup;
    }

    public String describe(Messages m) {
        String load = messages > 0
                ? messages + " messages per connection (no warm-up: every message counts; time limit " + text(bound) + ")"
                : text(duration) + " after " + text(warmup) + " warm-up";
        String loop = openLoop()
                ? "open loop at " + Report.decimal(rate) + " msgs/s" + (ramp.isZero() ? "" : " reached over a " + text(ramp) + " ramp")
                        + " (latency from intended send time)"
                : "closed loop";
        String padding = size > 0 ? "padded to " + size : "natural length";
        String spread = (processes > 1 ? " in " + processes + " processes" : "")
                + (sources.isEmpty() ? "" : " from " + sources.describe())
                + (connectRate > 0 ? ", opened at " + Report.decimal(connectRate) + " per second" : "")
                + (reconnectEvery > 0 ? ", each reopened every " + reconnectEvery + " messages" : "")
                + (reconnectAttempts > 0 ? ", reconnected after a fault (at most " + reconnectAttempts + " attempts in a row)" : "");
        return "loadgen " + host + ":" + port + ": " + connections + " connections" + spread + ", driver " + driver
                + (driver == DriverKind.NIO ? " (" + selectors + " selector thread" + (selectors > 1 ? "s" : "") + ")" : "")
                + ", " + load + ", " + loop + ", pipeline " + pipeline + ", messages of " + m.length(0, 1)
                + "+ bytes (" + padding + "), connect timeout " + text(connectTimeout)
                + ", reply timeout " + text(timeout);
    }

    /** A duration as the user types it, exactly: {@code 10s}, {@code 1500ms}, {@code 1500us}. */
    public static String text(Duration d) {
        return Durations.format(d);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Settings s && Arrays.equals(fields(), s.fields());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(fields());
    }

    private Object[] fields() {
        return new Object[] {host, port, connections, duration, bound, warmup, messages, size, pipeline, rate, ramp, driver,
                selectors, processes, sources, connectRate, reconnectEvery, reconnectAttempts, connectTimeout, timeout, json, jsonStream, hlog, verbose, targets};
    }

    @Override
    public String toString() {
        return "Settings" + arguments();
    }

    /**
     * Named setters, one per option; what is not set keeps the command's default. {@link #duration}
     * sets the measurement's time and, as {@code --duration} does, the safety limit of a
     * {@code --messages} run.
     */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private int connections = 500;
        private Duration duration = DEFAULT_DURATION;
        private Duration bound = DEFAULT_BOUND;
        private Duration warmup = Duration.ofSeconds(2);
        private long messages;
        private int size;
        private int pipeline = 1;
        private double rate;
        private Duration ramp = Duration.ZERO;
        private DriverKind driver = DriverKind.PLATFORM;
        private int selectors = 1;
        private int processes = 1;
        private SourceAddresses sources = SourceAddresses.KERNEL;
        private double connectRate;
        private long reconnectEvery;
        private int reconnectAttempts;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration timeout = Duration.ofSeconds(5);
        private Path json;
        private Path jsonStream;
        private Path hlog;
        private boolean verbose;
        private Targets targets = Targets.NONE;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder connections(int connections) {
            this.connections = connections;
            return this;
        }

        public Builder duration(Duration duration) {
            this.duration = duration;
            this.bound = duration;
            return this;
        }

        public Builder warmup(Duration warmup) {
            this.warmup = warmup;
            return this;
        }

        public Builder messages(long messages) {
            this.messages = messages;
            return this;
        }

        public Builder size(int size) {
            this.size = size;
            return this;
        }

        public Builder pipeline(int pipeline) {
            this.pipeline = pipeline;
            return this;
        }

        public Builder rate(double rate) {
            this.rate = rate;
            return this;
        }

        public Builder ramp(Duration ramp) {
            this.ramp = ramp;
            return this;
        }

        public Builder driver(DriverKind driver) {
            this.driver = driver;
            return this;
        }

        public Builder selectors(int selectors) {
            this.selectors = selectors;
            return this;
        }

        public Builder processes(int processes) {
            this.processes = processes;
            return this;
        }

        public Builder sources(SourceAddresses sources) {
            this.sources = sources;
            return this;
        }

        public Builder connectRate(double connectRate) {
            this.connectRate = connectRate;
            return this;
        }

        public Builder reconnectEvery(long reconnectEvery) {
            this.reconnectEvery = reconnectEvery;
            return this;
        }

        /** {@code --reconnect-on-fault --reconnect-attempts N}; 0: a failure ends its connection. */
        public Builder reconnectAttempts(int reconnectAttempts) {
            this.reconnectAttempts = reconnectAttempts;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Builder json(Path json) {
            this.json = json;
            return this;
        }

        public Builder jsonStream(Path jsonStream) {
            this.jsonStream = jsonStream;
            return this;
        }

        public Builder hlog(Path hlog) {
            this.hlog = hlog;
            return this;
        }

        public Builder verbose(boolean verbose) {
            this.verbose = verbose;
            return this;
        }

        public Builder targets(Targets targets) {
            this.targets = targets;
            return this;
        }

        public Settings build() {
            return new Settings(this);
        }
    }
}
