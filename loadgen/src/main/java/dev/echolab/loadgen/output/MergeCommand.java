package dev.echolab.loadgen.output;

import dev.echolab.common.Cli;
import dev.echolab.loadgen.LoadgenCommand;
import dev.echolab.loadgen.Results;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code bin/loadgen merge a.hlog b.hlog ...}: one report from the {@code --hlog} files of several
 * load generators, typically on several client machines loading one server at the same time.
 * Each file is read with HdrHistogram's own {@code HistogramLogReader}; its interval histograms are
 * added with {@code Histogram.add}, so the percentiles are those of every message of every log, not
 * an average of percentiles. An open loop's log holds two series (corrected, untagged; uncorrected,
 * tagged {@code uncorrected}), a closed loop's one; logs of both kinds are not merged, since their
 * untagged histograms mean different things.
 *
 * <p>Throughput is each log's messages over its own measured time (the sum of its intervals),
 * summed over the logs: the rate the machines made together, if they ran at the same time. The
 * report says how long they did overlap.
 */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Combine the --hlog interval logs of several load generators (e.g. one per client machine, run at "
                + "the same time) into one report: histograms added, throughputs summed.")
public final class MergeCommand implements Callable<Integer> {

    static final String UNCORRECTED = "uncorrected";

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Interval logs written by bin/loadgen --hlog.")
    List<Path> files;

    @ParentCommand
    LoadgenCommand parent;

    /** One file's histograms, added. */
    private record Log(Path file, int intervals, Histogram main, Histogram uncorrected, long start, long end, double seconds) {
        boolean openLoop() {
            return uncorrected.getTotalCount() > 0;
        }
    }

    @Override
    public Integer call() {
        PrintStream out = parent.out;
        List<Log> logs = new ArrayList<>();
        for (Path f : files) {
            try {
                logs.add(read(f));
            } catch (IOException e) {
                parent.err.println(e.getMessage());
                return 1;
            }
        }
        boolean open = logs.getFirst().openLoop();
        for (Log l : logs) {
            if (l.openLoop() != open) {
                parent.err.println("cannot merge " + logs.getFirst().file() + " (" + kind(open) + ") with " + l.file()
                        + " (" + kind(l.openLoop()) + "): their histograms measure different things");
                return 1;
            }
        }
        Histogram main = new Histogram(3);
        Histogram uncorrected = new Histogram(3);
        double rate = 0;
        out.printf("Merged %d interval log%s (HdrHistogram, values in us)%n", logs.size(), logs.size() == 1 ? "" : "s");
        for (Log l : logs) {
            main.add(l.main());
            uncorrected.add(l.uncorrected());
            double r = l.seconds() > 0 ? l.main().getTotalCount() / l.seconds() : 0;
            rate += r;
            out.printf(Locale.ROOT, "  %s: %d intervals, %d messages in %.2f s (%.2f msgs/s), %s to %s%n", l.file(),
                    l.intervals(), l.main().getTotalCount(), l.seconds(), r, Instant.ofEpochMilli(l.start()),
                    Instant.ofEpochMilli(l.end()));
        }
        Report.latency(open ? Results.Percentiles.of(uncorrected) : Results.Percentiles.of(main),
                open ? Results.Percentiles.of(main) : null, out);
        out.printf("  %d messages in all%n", main.getTotalCount());
        out.printf(Locale.ROOT, "Messages/sec: %12.2f (each log's messages over its own measured time, summed)%n", rate);
        out.println("  " + overlap(logs));
        return 0;
    }

    private static String kind(boolean openLoop) {
        return openLoop ? "open loop" : "closed loop";
    }

    private static Log read(Path f) throws IOException {
        if (!Files.isReadable(f) || Files.isDirectory(f)) {
            throw new IOException("cannot read " + f + ": " + (!Files.exists(f) ? "no such file"
                    : Files.isDirectory(f) ? "a directory, not a log" : "permission denied"));
        }
        Histogram main = new Histogram(3);
        Histogram uncorrected = new Histogram(3);
        long start = Long.MAX_VALUE;
        long end = 0;
        List<Histogram> all = HlogFile.read(f);
        for (Histogram h : all) {
            (UNCORRECTED.equals(h.getTag()) ? uncorrected : main).add(h);
            start = Math.min(start, h.getStartTimeStamp());
            end = Math.max(end, h.getEndTimeStamp());
        }
        if (main.getTotalCount() == 0) {
            throw new IOException(f + " holds no measured interval (is it a bin/loadgen --hlog file of a run that measured?)");
        }
        List<Histogram> intervals = all.stream().filter(h -> !UNCORRECTED.equals(h.getTag())).toList();
        return new Log(f, intervals.size(), main, uncorrected, start, end, covered(intervals) / 1e3);
    }

    /**
     * Milliseconds covered by at least one interval: a log of {@code --processes N} holds N intervals
     * for each second, which count once.
     */
    private static long covered(List<Histogram> intervals) {
        List<Histogram> sorted = intervals.stream().sorted(Comparator.comparingLong(Histogram::getStartTimeStamp)).toList();
        long total = 0;
        long reached = Long.MIN_VALUE;
        for (Histogram h : sorted) {
            long from = Math.max(h.getStartTimeStamp(), reached);
            if (h.getEndTimeStamp() > from) {
                total += h.getEndTimeStamp() - from;
            }
            reached = Math.max(reached, h.getEndTimeStamp());
        }
        return total;
    }

    /** How long every log was measuring at once: the merged rate was reached only then. */
    private static String overlap(List<Log> logs) {
        long from = logs.stream().mapToLong(Log::start).max().orElse(0);
        long to = logs.stream().mapToLong(Log::end).min().orElse(0);
        long first = logs.stream().mapToLong(Log::start).min().orElse(0);
        long last = logs.stream().mapToLong(Log::end).max().orElse(0);
        if (logs.size() == 1) {
            return "one log: nothing to overlap";
        }
        if (to <= from) {
            return "the logs do not overlap in time: the sum is what they made one after another, not a rate reached at once";
        }
        return String.format(Locale.ROOT, "the logs overlap for %.2f s of the %.2f s from the first start to the last end",
                (to - from) / 1e3, (last - first) / 1e3);
    }
}
