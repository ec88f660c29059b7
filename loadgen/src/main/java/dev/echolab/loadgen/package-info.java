/**
 * {@code bin/loadgen}: the load generator. Every connection sends {@code Thread-<i> say hello <n>},
 * reads the echo back in full, compares it byte for byte and records the round trip in an
 * HdrHistogram; the report says throughput, latency percentiles, errors by kind and fairness.
 *
 * <p>This package is one run; its sub-packages are the roles around it. Reading order:
 * <ol>
 *   <li>{@link dev.echolab.loadgen.LoadgenCommand}: the options, the phases of a run (connect,
 *       barrier, warm-up, measure, drain), the exit status; {@link dev.echolab.loadgen.Settings}
 *       is what it validated, built by name and written back as a command line.</li>
 *   <li>{@link dev.echolab.loadgen.Run}: what the drivers share while it goes on: phase
 *       boundaries, recorders, counters, the schedule of the open loop.</li>
 *   <li>{@link dev.echolab.loadgen.Messages}: the bytes of every message, computed from
 *       (connection, sequence number), so nothing is kept to check an echo against;
 *       {@link dev.echolab.loadgen.ErrorKind} is how every failure is counted, and
 *       {@link dev.echolab.loadgen.Outages} what the failures cost: messages failed in flight,
 *       time without service, lost messages ({@code --reconnect-on-fault}).</li>
 *   <li>{@link dev.echolab.loadgen.Driver} and {@link dev.echolab.loadgen.DriverKind}: how
 *       connections are mapped onto threads, the barrier they share; the drivers themselves are in
 *       {@link dev.echolab.loadgen.driver}.</li>
 *   <li>{@link dev.echolab.loadgen.Monitor} (each second's figures, the warm-up cut), then
 *       {@link dev.echolab.loadgen.Results}, every figure of the run, which
 *       {@link dev.echolab.loadgen.output} prints and writes.</li>
 *   <li>{@link dev.echolab.loadgen.OpenFiles} and {@link dev.echolab.loadgen.SourceAddresses}: the
 *       descriptors and local ports a run needs, checked before it starts; past one process,
 *       {@link dev.echolab.loadgen.processes}.</li>
 * </ol>
 * The method, the report and the JSON schemas: docs/loadgen.md.
 */
package dev.echolab.loadgen;
