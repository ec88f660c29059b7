package dev.echolab.loadgen.output;

import dev.echolab.loadgen.ErrorKind;
import dev.echolab.loadgen.Results;
import dev.echolab.loadgen.Settings;
import dev.echolab.loadgen.Targets;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The final report, in the layout people know from wrk: what ran, the latency distribution,
 * totals, then rates. Below that what wrk does not say: connect time, errors by kind, fairness
 * and whether the load generator itself was the bottleneck.
 */
public final class Report {

    static final String BOUND_WARNING = "results may be bound by the load generator";

    private Report() {
    }

    public static void print(Results r, PrintStream out) {
        Settings s = r.settings();
        out.printf("Running %s @ %s:%d%n", s.messages() > 0 ? s.messages() + " messages per connection"
                : Settings.text(s.duration()) + " test", s.host(), s.port());
        out.printf("  %d connections (%d up), driver %s, %s, pipeline %d%n", s.connections(), r.connectionsUp(),
                s.driver(), s.openLoop() ? "open loop at " + decimal(s.rate()) + " msgs/s" : "closed loop", s.pipeline());
        latency(r, out);
        out.printf("  %d messages in %.2fs, %.2f MB echoed; %d echoes verified byte for byte in all%n",
                r.messages(), r.seconds(), r.bytes() / 1e6, r.verified());
        out.printf("Messages/sec: %12.2f%n", r.msgsPerSecond());
        out.printf("Transfer/sec: %9.2f MB%n", r.megabytesPerSecond());
        out.printf("Connect: %d of %d up in %.2f s (per connection: mean %.0f us, p99 %d us, max %d us)%n",
                r.connectionsUp(), s.connections(), r.connectSeconds(), r.connect().mean(), r.connect().p99(),
                r.connect().max());
        if (s.reconnectEvery() > 0) {
            out.printf("  %d connections opened in the measurement, %.2f per second (each reopened every %d messages)%n",
                    r.connects(), r.connectsPerSecond(), s.reconnectEvery());
        }
        String notOpened = r.errorLine(ErrorKind.LOCAL_LIMIT);
        if (notOpened != null) {
            out.println("  " + notOpened);
        }
        out.println("Errors: " + errors(r));
        String faults = faults(r);
        if (faults != null) {
            out.println(faults);
        }
        out.println("Fairness: " + fairness(r));
        out.println("Load generator CPU: " + cpu(r));
        out.println("Load generator itself: " + self(r));
        if (r.server() != null) {
            out.println("Server: " + r.server().text());
        }
        for (Targets.Verdict v : r.targets()) {
            out.println(v.text());
        }
    }

    /**
     * What the load generator's own process did to the figures: JIT and GC over the measurement and,
     * for the nio driver, how long replies sat in its hands, against the latency's tail, so a reader
     * can tell whose the tail is.
     */
    static String self(Results r) {
        Results.Self s = r.self();
        String jvm = String.format(Locale.ROOT, "JIT %d ms, GC %d (%d ms) during the measurement", s.jitMillis(),
                s.gcCount(), s.gcMillis());
        Results.Percentiles held = s.held();
        if (held == null) {
            return jvm + "; replies held not measured by this driver (a blocked read is timed when its thread runs)";
        }
        Results.Percentiles turns = s.loopTurns();
        String text = String.format(Locale.ROOT, "%s; replies held p50 %d us, p99 %d us, max %d us after the kernel "
                + "reported them, loop turns p99 %d us, max %d us (a reply arriving in a turn waited for its end too)",
                jvm, held.p50(), held.p99(), held.max(), turns.p99(), turns.max());
        long own = held.p99() + turns.p99();
        long p99 = r.latency().p99();
        return held.count() > 0 && p99 > 0 && own * 4 > p99
                ? text + ": WARNING up to " + Math.min(100, own * 100 / p99) + "% of the p99 may be this load generator's"
                : text;
    }

    private static void latency(Results r, PrintStream out) {
        if (latency(r.latency(), r.corrected(), out)) {
            Results.Percentiles late = r.sendLateness();
            out.printf("  Send lateness: p50 %d us, p99 %d us, max %d us behind the schedule (the pacing's own delay, "
                    + "counted in the corrected latency)%n", late.p50(), late.p99(), late.max());
        }
    }

    /** The latency table: one column, or corrected and uncorrected side by side; true for the latter. */
    static boolean latency(Results.Percentiles m, Results.Percentiles c, PrintStream out) {
        out.println("  Latency Distribution (us, HdrHistogram)" + (c == null ? ""
                : ": corrected = from the intended send time (coordinated omission), uncorrected = from the actual send"));
        String[] names = {"50%", "75%", "90%", "99%", "99.9%", "max", "mean"};
        double[] mv = values(m);
        if (c == null) {
            for (int i = 0; i < names.length; i++) {
                out.printf("  %7s %10.0f%n", names[i], mv[i]);
            }
            return false;
        }
        double[] cv = values(c);
        out.printf("  %7s %12s %12s%n", "", "corrected", "uncorrected");
        for (int i = 0; i < names.length; i++) {
            out.printf("  %7s %12.0f %12.0f%n", names[i], cv[i], mv[i]);
        }
        return true;
    }

    private static double[] values(Results.Percentiles p) {
        return new double[] {p.p50(), p.p75(), p.p90(), p.p99(), p.p999(), p.max(), p.mean()};
    }

    private static String errors(Results r) {
        StringBuilder b = new StringBuilder();
        for (ErrorKind k : ErrorKind.values()) {
            b.append(b.isEmpty() ? "" : ", ").append(k.label()).append(' ').append(r.errors(k));
        }
        return b.toString();
    }

    /**
     * The faults' lines, or null for a run without a failure, a lost message or
     * {@code --reconnect-on-fault}: {@code Faults: 12 failures (reset 10, closed early 2), 12
     * recovered, 0 connections lost; without service 0.84 s of 20 x 5.00 s (one connection at most
     * 0.09 s), availability 99.16%},
     * then the messages' account, whose {@code lost} must be 0.
     */
    static String faults(Results r) {
        Results.Faults f = r.faults();
        if (f.failureTotal() == 0 && f.lostMessages() == 0 && f.reconnectAttempts() == 0) {
            return null;
        }
        StringBuilder kinds = new StringBuilder();
        for (ErrorKind k : ErrorKind.values()) {
            if (f.failures(k) > 0) {
                kinds.append(kinds.isEmpty() ? " (" : ", ").append(k.label()).append(' ').append(f.failures(k));
            }
        }
        String head = String.format(Locale.ROOT, "Faults: %d failures%s, %d recovered, %d connections lost; without service "
                        + "%.2f s of %d x %.2f s (one connection at most %.2f s), availability %.2f%%", f.failureTotal(),
                kinds.isEmpty() ? "" : kinds + ")", f.recovered(), f.lostConnections(), f.downSeconds(), r.connectionsUp(),
                r.seconds(), f.downMaxSeconds(), r.availability() * 100);
        String account = String.format(Locale.ROOT, "  messages: %d sent, %d echoed, %d failed in flight, %d lost"
                        + " (bytes: %d sent, %d echoed, %d failed, %d lost)%s", f.sentMessages(), f.echoedMessages(),
                f.failedMessages(), f.lostMessages(), f.sentBytes(), f.echoedBytes(), f.failedBytes(), f.lostBytes(),
                f.lostMessages() == 0 ? "" : ": WARNING messages neither echoed nor failed");
        return head + System.lineSeparator() + account;
    }

    static String fairness(Results r) {
        Results.Fairness f = r.fairness();
        String replies = f.noReply() > 0 ? f.noReply() + " connections got no reply: the server starved them"
                : f.unserved() > 0 ? f.unserved() + " of " + r.connectionsUp() + " connections completed no message in the measurement"
                : "every connection got replies";
        return "messages per connection min " + f.min() + ", median " + f.median() + ", max " + f.max() + "; " + replies;
    }

    private static String cpu(Results r) {
        Results.Cpu c = r.cpu();
        String text = String.format(Locale.ROOT, "%.0f%% of one core over the measurement (%d core%s available)",
                c.percentOfOneCore(), c.cores(), c.cores() == 1 ? "" : "s");
        return c.saturated() ? text + ": WARNING " + BOUND_WARNING : text;
    }

    /** A rate without a useless fraction: {@code 20000}, {@code 2.5}. */
    public static String decimal(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
