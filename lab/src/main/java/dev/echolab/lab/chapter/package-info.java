/**
 * {@code bin/lab chapter}: the chapter's experiments, measured.
 * {@link dev.echolab.lab.chapter.ChapterExperiment} holds them as data (the work per message, the
 * open-loop load, the runtimes that answer the question and what the chapter expects of each);
 * {@link dev.echolab.lab.chapter.ChapterCommand} runs each runtime through
 * {@link dev.echolab.lab.run.CaseRunner}, unpinned, and writes one table per experiment to stdout,
 * {@code results.json} and {@code report.md}.
 */
package dev.echolab.lab.chapter;
