package dev.echolab.lab.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.echolab.lab.sweep.SweepCommand;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The chart of a {@code sweep} dataset: every model's p50 and p99 against the offered rate, drawn as the sweep's own report draws it. */
record SweepChart(String title, List<SweepCommand.Model> models, Duration bound, int connections, String work) implements Picture {

    static SweepChart of(Dataset d) {
        JsonNode run = d.first();
        JsonNode settings = run.path("environment").path("settings");
        List<SweepCommand.Model> models = new ArrayList<>();
        for (JsonNode m : run.get("models")) {
            try {
                models.add(Dataset.JSON.treeToValue(m, SweepCommand.Model.class));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("dataset " + d.name() + ": unreadable model " + m.path("id") + ": " + e.getOriginalMessage());
            }
        }
        return new SweepChart("Latency against offered load, data: " + d.name(), models,
                Duration.ofNanos(settings.path("max_p99_us").asLong() * 1000), settings.path("connections").asInt(),
                settings.path("work").asText("none"));
    }

    @Override
    public boolean empty() {
        return models.stream().allMatch(m -> m.steps().isEmpty());
    }

    @Override
    public String numbers() {
        return toString();
    }

    @Override
    public byte[] png() throws IOException {
        return SweepCommand.chart(models, bound, connections, work).firstPng();
    }
}
