/**
 * What the lab writes besides {@code results.json}'s cases: the {@link dev.echolab.lab.report.Environment}
 * a reader needs to judge the figures, the {@link dev.echolab.lab.report.Tables} and
 * {@link dev.echolab.lab.report.Charts} built once from the results, and the two renderings,
 * {@link dev.echolab.lab.report.MarkdownReport} ({@code report.md} and PNG charts) and
 * {@link dev.echolab.lab.report.HtmlReport} ({@code report.html}, charts drawn by {@code report.js}).
 */
package dev.echolab.lab.report;
