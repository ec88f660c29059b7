package dev.echolab.loadgen;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The effective settings of one run, validated by {@link LoadgenCommand}. Printed as the first
 * output line and copied into the JSON, so every result says how it was obtained.
 *
 * @param messages  messages per connection, 0 for "until the duration is over"
 * @param size      pad messages to this many bytes, 0 for their natural length
 * @param rate      total messages per second across all connections (open loop), 0 for closed loop
 * @param bound     with {@code --messages}: the safety time limit of the measurement
 * @param processes load-generator processes sharing the connections ({@link LoadgenProcesses}); 1: this one
 * @param sources   local addresses the connections leave from ({@code --source})
 * @param connectRate new connections per second in all, 0 for as fast as handshakes complete
 * @param ramp      open loop: the rate rises from 0 to {@code rate} over this part of the warm-up ({@code --ramp})
 */
record Settings(String host, int port, int connections, Duration duration, Duration warmup, long messages,
                int size, int pipeline, double rate, DriverKind driver, int selectors, Duration connectTimeout,
                Duration timeout, Duration bound, Path json, Path hlog, boolean verbose,
                int processes, SourceAddresses sources, double connectRate, Duration ramp) {

    /** One process, the kernel's source address, no connect rate, no ramp. */
    Settings(String host, int port, int connections, Duration duration, Duration warmup, long messages,
             int size, int pipeline, double rate, DriverKind driver, int selectors, Duration connectTimeout,
             Duration timeout, Duration bound, Path json, Path hlog, boolean verbose) {
        this(host, port, connections, duration, warmup, messages, size, pipeline, rate, driver, selectors, connectTimeout,
                timeout, bound, json, hlog, verbose, 1, SourceAddresses.KERNEL, 0, Duration.ZERO);
    }

    boolean openLoop() {
        return rate > 0;
    }

    /** What the run measures for: the duration, or with --messages the safety bound. */
    Duration measureLimit() {
        return messages > 0 ? bound : duration;
    }

    /** --messages counts every message, so there is no warm-up to throw away. */
    Duration effectiveWarmup() {
        return messages > 0 ? Duration.ZERO : warmup;
    }

    String describe(Messages m) {
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
                + (connectRate > 0 ? ", opened at " + Report.decimal(connectRate) + " per second" : "");
        return "loadgen " + host + ":" + port + ": " + connections + " connections" + spread + ", driver " + driver
                + (driver == DriverKind.NIO ? " (" + selectors + " selector thread" + (selectors > 1 ? "s" : "") + ")" : "")
                + ", " + load + ", " + loop + ", pipeline " + pipeline + ", messages of " + m.length(0, 1)
                + "+ bytes (" + padding + "), connect timeout " + text(connectTimeout)
                + ", reply timeout " + text(timeout);
    }

    static String text(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
