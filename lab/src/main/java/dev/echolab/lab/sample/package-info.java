/**
 * A server seen from outside, through /proc: {@link dev.echolab.lab.sample.Proc} reads a process
 * tree's CPU time, resident memory, threads and context switches, and the machine's busy time;
 * {@link dev.echolab.lab.sample.Sampler} reads them a few times a second while a case runs, so
 * the CPU over any window can be had afterwards. {@link dev.echolab.lab.sample.KernelBill} adds
 * what the server asks of the kernel per message, counted by {@code perf stat}
 * ({@link dev.echolab.lab.sample.PerfStat}), and where its threads wait
 * ({@link dev.echolab.lab.sample.ThreadStates}).
 */
package dev.echolab.lab.sample;
