/**
 * {@code bin/lab publish} and {@code bin/lab render}: every measured figure of README.md and docs/
 * comes from a run kept in {@code docs/data}. {@link dev.echolab.lab.render.PublishCommand} runs the
 * measurements ({@code bin/lab compare}, {@code bin/lab chapter}) and keeps their results.json;
 * {@link dev.echolab.lab.render.Docs} finds the docs' generated blocks and inline figures and makes
 * them again from a {@link dev.echolab.lab.render.Dataset} ({@link dev.echolab.lab.render.Views},
 * {@link dev.echolab.lab.render.Figures}, {@link dev.echolab.lab.render.CpuChart}), telling ties from
 * findings by the runs' own {@link dev.echolab.lab.render.Spread}. The marker syntax: docs/lab.md.
 */
package dev.echolab.lab.render;
