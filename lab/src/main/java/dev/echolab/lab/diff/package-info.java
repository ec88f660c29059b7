/**
 * {@code bin/lab diff OLD NEW}: two lab comparisons (or two load generator reports) case by case.
 * {@link dev.echolab.lab.diff.Side} reads a file into its cases and the figures of their counted
 * repetitions, {@link dev.echolab.lab.diff.Judgement} is the rule that tells a regression from
 * the run-to-run spread, and {@link dev.echolab.lab.diff.DiffReport} is the table and its JSON.
 */
package dev.echolab.lab.diff;
