package dev.echolab.lab.chapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.RepeatedTest;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The chapter's rows are built by name: every value set through {@link ChapterCommand.Row.Builder}
 * comes back from the accessor and the results.json key of the same name, and an experiment's
 * settings come from the experiment itself. Random distinct values, so two figures of one type
 * that traded places would differ.
 */
class ChapterRowTest {

    private final Random random = new Random();

    @RepeatedTest(5)
    void everyValueSetByNameIsReadBackUnderThatName() {
        List<ChapterExperiment> loads = java.util.Arrays.stream(ChapterExperiment.values())
                .filter(x -> x.kind() == ChapterExperiment.Kind.LOAD).toList();
        ChapterExperiment e = loads.get(random.nextInt(loads.size()));
        int cpus = random.nextInt(1, 65);
        ChapterExperiment.Runtime runtime = e.runtimes.get(random.nextInt(e.runtimes.size()));
        List<Double> d = distinct(5).stream().map(v -> v / 7.0).toList();
        List<Long> l = distinct(8);
        int processes = random.nextInt(1, 64);
        String status = "s" + random.nextInt();
        String failure = "f" + random.nextInt();
        String verdict = "v" + random.nextInt();

        ChapterCommand.Row row = ChapterCommand.Row.of(runtime, cpus).status(status).failure(failure).msgsPerS(d.get(0))
                .coresUsed(d.get(1)).serverCpuUsPerMsg(d.get(2)).p50Us(l.get(0)).p99Us(l.get(1))
                .loadgenCores(d.get(3)).processes(processes).rssMb(d.get(4)).fairness(l.get(2), l.get(3), l.get(4))
                .tally(l.get(5), l.get(6), l.get(7)).connectsPerS(d.get(0) * 3).verdict(verdict)
                .stop("deadlock " + failure, processes + 1, d.get(1) * 5).build();

        assertEquals(List.of(runtime.label(), runtime.model(), runtime.expected(cpus), status, failure),
                List.of(row.runtime(), row.model(), row.expected(), row.status(), row.failure()));
        assertEquals(d, List.of(row.msgsPerS(), row.coresUsed(), row.serverCpuUsPerMsg(), row.loadgenCores(), row.rssMb()));
        assertEquals(l, List.of(row.p50Us(), row.p99Us(), row.fairnessMin(), row.fairnessMedian(), row.fairnessMax(),
                row.verified(), row.counted(), row.lost()));
        assertEquals(processes, row.processes());
        assertEquals(verdict, row.verdict());
        assertEquals(d.get(0) * 3, row.connectsPerS());
        assertEquals(List.of("deadlock " + failure, processes + 1, d.get(1) * 5), List.of(row.deadlock(), row.serverExit(), row.serverStopS()));

        JsonNode json = new ObjectMapper().valueToTree(new ChapterCommand.Result(e, e.rate(cpus), List.of(row), List.of()));
        assertEquals(List.of("id", "title", "proves", "work", "connections", "rate", "rows", "switches"), names(json));
        assertEquals(List.of(e.id, e.title, e.proves, e.work), List.of(json.get("id").asText(), json.get("title").asText(),
                json.get("proves").asText(), json.get("work").asText()));
        assertEquals(List.of(e.connections, e.rate(cpus)), List.of(json.get("connections").asInt(), json.get("rate").asInt()));
        JsonNode r = json.get("rows").get(0);
        assertEquals(List.of("runtime", "model", "expected", "status", "failure", "msgs_per_s", "cores_used",
                "server_cpu_us_per_msg", "p50_us", "p99_us", "loadgen_cores", "processes", "rss_mb", "fairness_min",
                "fairness_median", "fairness_max", "verified", "counted", "lost", "connects_per_s", "verdict", "deadlock", "server_exit",
                "server_stop_s"), names(r));
        assertEquals(d, List.of(r.get("msgs_per_s").asDouble(), r.get("cores_used").asDouble(),
                r.get("server_cpu_us_per_msg").asDouble(), r.get("loadgen_cores").asDouble(), r.get("rss_mb").asDouble()));
        assertEquals(l, List.of(r.get("p50_us").asLong(), r.get("p99_us").asLong(), r.get("fairness_min").asLong(),
                r.get("fairness_median").asLong(), r.get("fairness_max").asLong(), r.get("verified").asLong(),
                r.get("counted").asLong(), r.get("lost").asLong()));
    }

    private List<Long> distinct(int n) {
        return random.longs(1, 1_000_000_000L).distinct().limit(n).boxed().toList();
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
