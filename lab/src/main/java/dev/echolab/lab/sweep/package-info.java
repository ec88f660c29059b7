/**
 * {@code bin/lab sweep}: latency against offered load. {@link dev.echolab.lab.sweep.SweepCommand}
 * loads each server open loop at rising rates (the load generator's {@code RateSearch} plans the
 * steps) until its corrected p99 passes the bound, an error appears or it falls behind the
 * schedule; each step is a case of {@link dev.echolab.lab.run.CaseRunner}, pinned as
 * {@code compare} pins it ({@link dev.echolab.lab.compare.Pinning}) and judged by
 * {@link dev.echolab.lab.run.Verdict}; the table gives each model's highest rate under the bound.
 */
package dev.echolab.lab.sweep;
