/**
 * {@code bin/lab compare}: the study. Every backend runs in its own JVM, one at a time, pinned to
 * one CPU with the load generator on the others, under the same load cases; the server is sampled
 * from /proc, and the results become {@code results.json}, {@code report.md} and a self-contained
 * {@code report.html} with charts.
 *
 * <p>Reading order:
 * <ol>
 *   <li>{@link dev.echolab.lab.CompareCommand}: the options and the matrix of cases (backend x
 *       connections x work, repeated; then idle connections); the {@link dev.echolab.lab.Peer}s
 *       (C, Go and Python servers from {@code peers/}, built with what {@link dev.echolab.lab.Toolchain}
 *       finds) run the same cases as references.</li>
 *   <li>{@link dev.echolab.lab.CaseRunner}: one case: start the server
 *       ({@link dev.echolab.lab.ServerProcess}), run {@code bin/loadgen} against it, sample it
 *       ({@link dev.echolab.lab.Sampler}, {@link dev.echolab.lab.Proc}), stop it, fill a
 *       {@link dev.echolab.lab.CaseResult}.</li>
 *   <li>{@link dev.echolab.lab.Summary} folds the repetitions;
 *       {@link dev.echolab.lab.Tables} and {@link dev.echolab.lab.Charts} are rendered by
 *       {@link dev.echolab.lab.MarkdownReport} and {@link dev.echolab.lab.HtmlReport}.</li>
 * </ol>
 * The method and the results.json schema: docs/lab.md.
 */
package dev.echolab.lab;
