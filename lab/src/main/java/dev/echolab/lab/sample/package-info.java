/**
 * A server seen from outside, through /proc: {@link dev.echolab.lab.sample.Proc} reads a process
 * tree's CPU time, resident memory, threads and context switches, and the machine's busy time;
 * {@link dev.echolab.lab.sample.Sampler} reads them a few times a second while a case runs, so
 * the CPU over any window can be had afterwards.
 */
package dev.echolab.lab.sample;
