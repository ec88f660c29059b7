/**
 * {@code bin/lab compare}: the study. Every backend runs in its own JVM, one at a time, pinned to
 * one CPU with the load generator on the others ({@link dev.echolab.lab.compare.Pinning}), under
 * the same load cases; the peers run the same cases as references.
 *
 * <p>{@link dev.echolab.lab.compare.CompareCommand} holds the options and the matrix of cases
 * (backend x connections x work, repeated; then idle connections), runs each through
 * {@link dev.echolab.lab.run.CaseRunner} again while {@link dev.echolab.lab.run.Verdict} finds it
 * disturbed, shows the way through the matrix ({@link dev.echolab.lab.compare.Progress}) and
 * writes {@code results.json}, {@code report.md} and {@code report.html}.
 */
package dev.echolab.lab.compare;
