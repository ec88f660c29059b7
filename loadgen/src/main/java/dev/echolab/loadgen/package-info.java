/**
 * {@code bin/loadgen}: the load generator. Every connection sends {@code Thread-<i> say hello <n>},
 * reads the echo back in full, compares it byte for byte and records the round trip in an
 * HdrHistogram; the report says throughput, latency percentiles, errors by kind and fairness.
 *
 * <p>Reading order:
 * <ol>
 *   <li>{@link dev.echolab.loadgen.LoadgenCommand}: the options, the phases of a run (connect,
 *       barrier, warm-up, measure, drain), the exit status; {@link dev.echolab.loadgen.Settings}
 *       is what it validated.</li>
 *   <li>{@link dev.echolab.loadgen.Run}: what the drivers share while it goes on: phase
 *       boundaries, recorders, counters, the schedule of the open loop.</li>
 *   <li>{@link dev.echolab.loadgen.Messages}: the bytes of every message, computed from
 *       (connection, sequence number), so nothing is kept to check an echo against.</li>
 *   <li>The drivers ({@link dev.echolab.loadgen.DriverKind}): how connections are mapped onto
 *       threads. {@code platform} and {@code virtual} run one
 *       {@link dev.echolab.loadgen.BlockingConnection} per thread
 *       ({@link dev.echolab.loadgen.BlockingDriver}); {@code nio} multiplexes them on selector
 *       threads ({@link dev.echolab.loadgen.NioDriver}, {@link dev.echolab.loadgen.NioWorker},
 *       {@link dev.echolab.loadgen.NioConnection}).</li>
 *   <li>{@link dev.echolab.loadgen.Monitor} (one progress line a second), then
 *       {@link dev.echolab.loadgen.Results}, printed by {@link dev.echolab.loadgen.Report} and
 *       {@link dev.echolab.loadgen.JsonReport}; {@link dev.echolab.loadgen.ErrorKind} is how every
 *       failure is counted.</li>
 * </ol>
 * The method, the report and the JSON schema: docs/loadgen.md.
 */
package dev.echolab.loadgen;
