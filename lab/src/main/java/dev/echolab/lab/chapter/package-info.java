/**
 * {@code bin/lab chapter}: the chapter's experiments, measured.
 * {@link dev.echolab.lab.chapter.ChapterExperiment} holds them as data (the work per message, the
 * open-loop load, the runtimes that answer the question and what the chapter expects of each);
 * {@link dev.echolab.lab.chapter.ChapterCommand} runs each runtime through
 * {@link dev.echolab.lab.run.CaseRunner}, unpinned, and writes one table per experiment to stdout,
 * {@code results.json} and {@code report.md}. {@link dev.echolab.lab.chapter.SwitchCost} measures
 * the one switch between two tasks in each runtime (Java's platform and virtual threads through
 * {@link dev.echolab.lab.chapter.HandOff}, the programs of {@code peers/switch/} for the others).
 */
package dev.echolab.lab.chapter;
