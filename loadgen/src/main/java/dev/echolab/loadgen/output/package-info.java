/**
 * What a run says, each format written and read in one type: the text report
 * ({@link dev.echolab.loadgen.output.Report}), the {@code --json} document
 * ({@link dev.echolab.loadgen.output.JsonReport}, read back by the {@code --processes} parent and
 * the lab), each second as JSON ({@link dev.echolab.loadgen.output.Progress}, whose text is the
 * progress line) and {@code --json-stream} ({@link dev.echolab.loadgen.output.JsonStream}), the
 * {@code --hlog} interval log ({@link dev.echolab.loadgen.output.HlogFile}) and
 * {@code bin/loadgen merge} over such logs ({@link dev.echolab.loadgen.output.MergeCommand}).
 * Schemas: docs/loadgen.md.
 */
package dev.echolab.loadgen.output;
