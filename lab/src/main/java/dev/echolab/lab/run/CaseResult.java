package dev.echolab.lab.run;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.echolab.lab.sample.KernelBill;

import java.util.List;

/**
 * One case of the matrix and everything measured in it: a row of {@code results.json}. Fields are
 * null when the case did not get that far (a server that never started has no latency). The
 * schema is documented in docs/lab.md; keep the two in step.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public final class CaseResult {

    public enum Status { ok, errors, failed }

    // what was run
    public String backend;
    public boolean reference;
    public String scenario;
    public int connections;
    public String work;
    public int repeat;
    /** Options for the server beyond --backend, --port and --work (e.g. {@code --offload 2}, {@code --processes 2}). */
    public List<String> serverArgs = List.of();
    /** The server's command prefix for this case (e.g. {@code taskset -c 0}), in place of the runner's pinning; empty: the runner's. */
    public List<String> serverPrefix = List.of();
    /** Idle connections held open beside the load (the chapter's select and poll experiment); 0: none. */
    public int idleBeside;
    /** Open loop: the load generator's --rate; null: closed loop. */
    public Integer rate;
    /** Messages in flight per connection (the load generator's --pipeline). */
    public int pipeline = 1;
    /** Options for the load generator beyond what the lab sets (e.g. {@code --reconnect-every 5}). */
    public List<String> loadgenArgs = List.of();

    // how it went
    public Status status = Status.ok;
    public String failure;
    public List<String> serverOutput;
    public Integer serverExit;
    /** Seconds from SIGTERM to the server's exit (or to its kill). */
    public Double serverStopS;
    public Integer loadgenExit;

    // load generator's figures (same names as its JSON)
    public Double msgsPerS;
    public Double mbPerS;
    public Long messages;
    public Long p50Us;
    public Long p75Us;
    public Long p90Us;
    public Long p99Us;
    public Long p999Us;
    public Long maxUs;
    public Long errors;
    public Long mismatches;
    public Long starvedConnections;
    /** Fewest, median and most messages one connection completed in the measured interval. */
    public Long fairnessMinMsgs;
    public Long fairnessMedianMsgs;
    public Long fairnessMaxMsgs;
    /** Every echo the load generator verified, warm-up included: what a server's {@code --tally} should have counted. */
    public Long verified;
    /** The server's {@code --tally} count when it stopped ({@code tally mode=M counted=N}); null without one. */
    public Long tallyCounted;
    /** The server's deadlock report ({@code --tally deadlock}: which threads hold and wait for which locks); null without one. */
    public String deadlock;
    public Double loadgenCpuPct;
    public Boolean loadgenSaturated;
    /** Connections opened per measured second ({@code --reconnect-every} in {@link #loadgenArgs}; else 0). */
    public Double connectsPerS;

    // the server process (and its children, if it has any), from /proc
    public Integer serverProcesses;
    public Double serverCpuPct;
    public Double serverCpuUsPerMsg;
    public String cpuWindow;
    public Integer serverThreadsBaseline;
    public Integer serverThreadsPeak;
    public Double serverRssMbBaseline;
    public Double serverRssMbPeak;
    public Double rssPerConnectionKb;
    public Double threadsPerConnection;
    public Long voluntaryCtxSwitches;
    public Long involuntaryCtxSwitches;
    public Double idleCpuPct;
    public Double elapsedS;
    /** System calls and context switches per message, and where the server's threads wait (see KernelBill). */
    public KernelBill kernelBill;

    // what else ran on the machine, and the lab's verdict on the case (see Verdict)
    public Double hostCpuPct;
    public Double otherLoadPct;
    public Verdict.Kind verdict;
    public String verdictReason;
    /** Every attempt at this case, this one last; more than one when a disturbed case was run again. */
    public List<Verdict.Attempt> attempts;

    /** The same case, not yet run: for another attempt at it. */
    CaseResult again() {
        CaseResult c = of(backend, reference, scenario, connections, work, repeat);
        c.serverArgs = serverArgs;
        c.serverPrefix = serverPrefix;
        c.idleBeside = idleBeside;
        c.rate = rate;
        c.pipeline = pipeline;
        c.loadgenArgs = loadgenArgs;
        return c;
    }

    // the report's curves (load cases)
    /** The measured interval's latency by percentile, from the load generator's {@code --hlog} file. */
    public List<Percentile> latencySpectrum;
    /** One point per second of load, warm-up included: the load generator's msgs/s, the server's CPU. */
    public List<Second> timeline;

    /** {@code percentile}% of the round trips took at most {@code us} microseconds. */
    public record Percentile(double percentile, long us) {
    }

    /** The second that ended {@code tS} seconds after the measurement began (negative: warm-up). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Second(double tS, double msgsPerS, Double serverCpuPct) {
    }

    /** A case to run: what, under which load, which repetition; everything measured still null. */
    public static CaseResult of(String target, boolean reference, String scenario, int conns, String work, int rep) {
        CaseResult c = new CaseResult();
        c.backend = target;
        c.reference = reference;
        c.scenario = scenario;
        c.connections = conns;
        c.work = work;
        c.repeat = rep;
        return c;
    }

    /** {@code nio c=500 work=none rep 1} ({@code nio --offload 2 ...} with server options), for progress lines. */
    public String label() {
        String options = serverArgs.isEmpty() ? "" : " " + String.join(" ", serverArgs);
        String load = loadgenArgs.isEmpty() ? "" : " (loadgen " + String.join(" ", loadgenArgs) + ")";
        return backend + options + " " + scenario + " c=" + connections + " work=" + work + load + " rep " + repeat;
    }
}
