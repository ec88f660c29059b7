/**
 * {@code bin/lab}: the study. {@link dev.echolab.lab.LabCommand} is the command and its
 * subcommands; the rest is grouped by role:
 * <ul>
 *   <li>{@link dev.echolab.lab.compare}: {@code bin/lab compare}, every backend and peer under the
 *       same load cases, pinned, repeated, judged; then the reports.</li>
 *   <li>{@link dev.echolab.lab.chapter}: {@code bin/lab chapter}, the chapter's experiments (the
 *       GIL, IO- vs CPU-bound work, processes vs threads) as tables of runtimes.</li>
 *   <li>{@link dev.echolab.lab.sweep}: {@code bin/lab sweep}, each server at rising open-loop
 *       rates until its p99 passes a bound: latency against offered load.</li>
 *   <li>{@link dev.echolab.lab.run}: one case: the server in its own process, {@code bin/loadgen}
 *       against it, the result, the lab's verdict on it, the repetitions folded into a summary.</li>
 *   <li>{@link dev.echolab.lab.sample}: what /proc says about a server while it runs.</li>
 *   <li>{@link dev.echolab.lab.peer}: the reference servers in C, Go and Python, and the tools
 *       that build them.</li>
 *   <li>{@link dev.echolab.lab.report}: results.json's environment, and report.md and report.html
 *       with their tables and charts.</li>
 *   <li>{@link dev.echolab.lab.probe}: {@code bin/lab probe}, the facts above told to scripts
 *       (bench/): a server's ready port, processes for N connections, /proc readings.</li>
 *   <li>{@link dev.echolab.lab.render}: {@code bin/lab publish} and {@code bin/lab render}, the
 *       docs' tables, figures and charts generated from the runs kept in docs/data.</li>
 * </ul>
 * Packages depend one way only: the commands (compare, chapter, sweep, probe, render) on the
 * others (sweep also on compare's pinning; render reads results.json only, and starts
 * {@code bin/lab} for what it publishes), report on run's results, run on sample. The method and
 * the results.json schema: docs/lab.md.
 */
package dev.echolab.lab;
