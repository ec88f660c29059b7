package dev.echolab.loadgen;

/**
 * The {@code --json} document. Top-level keys that also appear in {@code ref-load}'s JSON line
 * ({@code connections}, {@code msgs_per_s}, {@code mb_per_s}, {@code p50_us}, {@code p90_us},
 * {@code p99_us}, {@code p999_us}, {@code max_us}, {@code errors}, {@code mismatches}, and
 * {@code msgs}, {@code duration_s}, {@code warmup_s}, {@code connect_s}, {@code msg_bytes},
 * {@code cpu_pct}, {@code mean_us}) mean the same thing in both, so results of the two tools line up;
 * the rest is nested by topic. The schema is documented in docs/loadgen.md.
 */
final class JsonReport {

    private JsonReport() {
    }

    static String of(Results r) {
        Settings s = r.settings();
        Json j = new Json().begin()
                .field("connections", r.connectionsUp())
                .field("msgs_per_s", r.msgsPerSecond())
                .field("mb_per_s", r.megabytesPerSecond());
        percentiles(j, r.latency());
        j.field("errors", r.errorsButMismatches())
                .field("mismatches", r.errors(ErrorKind.MISMATCH))
                .field("connections_requested", s.connections())
                .field("msgs", r.messages())
                .field("verified", r.verified())
                .field("duration_s", r.seconds())
                .field("warmup_s", s.effectiveWarmup().toMillis() / 1e3)
                .field("connect_s", r.connectSeconds())
                .field("measure_start_epoch_ms", r.measureStartEpochMs())
                .field("measure_end_epoch_ms", r.measureEndEpochMs())
                .field("msg_bytes", r.messages() == 0 ? 0 : (double) r.bytes() / r.messages())
                .field("cpu_pct", r.cpu().percentOfOneCore());
        if (r.corrected() == null) {
            j.nullField("corrected");
            j.nullField("send_lateness");
        } else {
            percentiles(j.object("corrected"), r.corrected()).end();
            percentiles(j.object("send_lateness"), r.sendLateness()).end();
        }
        errors(j, r);
        connect(j, r);
        fairness(j, r.fairness());
        cpu(j, r.cpu());
        self(j, r.self());
        settings(j, s);
        return j.field("exit_status", r.exitStatus()).end().toString();
    }

    private static Json percentiles(Json j, Results.Percentiles p) {
        return j.field("p50_us", p.p50()).field("p75_us", p.p75()).field("p90_us", p.p90())
                .field("p99_us", p.p99()).field("p999_us", p.p999()).field("max_us", p.max())
                .field("mean_us", p.mean());
    }

    private static void errors(Json j, Results r) {
        j.object("errors_by_kind");
        for (ErrorKind k : ErrorKind.values()) {
            j.field(k.key(), r.errors(k));
        }
        j.end().object("first_errors");
        for (ErrorKind k : ErrorKind.values()) {
            if (r.firstErrors()[k.ordinal()] != null) {
                j.field(k.key(), r.firstErrors()[k.ordinal()]);
            }
        }
        j.end();
    }

    private static void connect(Json j, Results r) {
        Results.Percentiles c = r.connect();
        j.object("connect").field("seconds", r.connectSeconds()).field("mean_us", c.mean())
                .field("p50_us", c.p50()).field("p99_us", c.p99()).field("max_us", c.max()).end();
    }

    private static void fairness(Json j, Results.Fairness f) {
        j.object("fairness").field("min_msgs", f.min()).field("median_msgs", f.median())
                .field("max_msgs", f.max()).field("no_reply", f.noReply()).end();
    }

    private static void cpu(Json j, Results.Cpu c) {
        j.object("cpu").field("seconds", c.seconds()).field("pct_of_one_core", c.percentOfOneCore())
                .field("cores", c.cores()).field("saturated", c.saturated()).end();
    }

    private static void self(Json j, Results.Self s) {
        j.object("self").field("jit_ms", s.jitMillis()).field("gc_count", s.gcCount()).field("gc_ms", s.gcMillis());
        if (s.held() == null) {
            j.nullField("held").nullField("loop_turns");
        } else {
            percentiles(j.object("held"), s.held()).end();
            percentiles(j.object("loop_turns"), s.loopTurns()).end();
        }
        j.end();
    }

    private static void settings(Json j, Settings s) {
        j.object("settings").field("host", s.host()).field("port", s.port())
                .field("connections", s.connections()).field("driver", s.driver().id())
                .field("selectors", s.selectors())
                .field("duration_s", s.duration().toMillis() / 1e3).field("warmup_s", s.warmup().toMillis() / 1e3)
                .field("messages", s.messages()).field("size", s.size()).field("pipeline", s.pipeline())
                .field("rate", s.rate()).field("ramp_s", s.ramp().toMillis() / 1e3).field("connect_timeout_s", s.connectTimeout().toMillis() / 1e3)
                .field("timeout_s", s.timeout().toMillis() / 1e3).field("processes", s.processes())
                .field("source", s.sources().text()).field("connect_rate", s.connectRate()).end();
    }
}
