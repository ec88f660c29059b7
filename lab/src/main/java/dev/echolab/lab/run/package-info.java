/**
 * One case, run and judged: {@link dev.echolab.lab.run.CaseRunner} starts the server
 * ({@link dev.echolab.lab.run.ServerProcess}), runs {@code bin/loadgen} against it, samples it
 * ({@link dev.echolab.lab.sample}), stops it and fills a {@link dev.echolab.lab.run.CaseResult}
 * (one row of {@code results.json}) with the curves of {@link dev.echolab.lab.run.CaseSeries}.
 * {@link dev.echolab.lab.run.Verdict} says whether anything but the server set its figures, and
 * {@link dev.echolab.lab.run.Summary} folds a case's repetitions into one row.
 */
package dev.echolab.lab.run;
