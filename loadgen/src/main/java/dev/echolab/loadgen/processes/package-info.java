/**
 * {@code --processes N}: one run in N load-generator processes, for more connections than one
 * process's open files allow. {@link dev.echolab.loadgen.processes.LoadgenProcesses} starts the
 * children (their settings as a command line), holds the barrier across them, prints the run's
 * progress from theirs and combines their {@link dev.echolab.loadgen.processes.ChildResult}s into
 * one report.
 */
package dev.echolab.loadgen.processes;
