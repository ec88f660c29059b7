package dev.echolab.lab.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A chart is built by name: every string set through {@link Charts.Chart.Builder} comes back under
 * its own name, in the record and in the JSON report.js reads; what is not set keeps its default.
 * Random distinct strings, so two that traded places would differ.
 */
class ChartBuilderTest {

    private final Random random = new Random();

    @RepeatedTest(5)
    void everyValueSetByNameIsReadBackUnderThatName() {
        List<String> s = random.ints(0, Integer.MAX_VALUE).distinct().limit(6).mapToObj(i -> "s" + i).toList();
        Charts.Axis axis = Charts.Axis.values()[random.nextInt(Charts.Axis.values().length)];
        List<Charts.Line> lines = List.of(new Charts.Line("nio", "#4e79a7", false, List.of(1.0), List.of(2.0)));
        Charts.Chart c = Charts.Chart.named(s.get(0)).title(s.get(1)).caption(s.get(2)).axis(axis).xTitle(s.get(3))
                .yTitle(s.get(4)).categories(List.of(s.get(5))).lines(lines).small().logY().build();

        assertEquals(s.subList(0, 5), List.of(c.name(), c.title(), c.caption(), c.xTitle(), c.yTitle()));
        assertEquals(List.of(s.get(5)), c.categories());
        assertEquals(axis, c.axis());
        assertEquals(lines, c.lines());
        assertTrue(c.small());
        assertTrue(c.logY());

        JsonNode json = new ObjectMapper().valueToTree(c);
        assertEquals(List.of("name", "title", "caption", "axis", "xTitle", "yTitle", "categories", "lines", "small", "logY"), names(json));
        assertEquals(s.subList(0, 5), List.of(json.get("name").asText(), json.get("title").asText(), json.get("caption").asText(),
                json.get("xTitle").asText(), json.get("yTitle").asText()));
    }

    @Test
    void whatIsNotSetKeepsItsDefault() {
        Charts.Chart c = Charts.Chart.named("n").title("t").xTitle("x").yTitle("y").build();
        assertEquals(Charts.Axis.LINEAR, c.axis());
        assertNull(c.caption());
        assertEquals(List.of(), c.categories());
        assertEquals(List.of(), c.lines());
        assertFalse(c.small());
        assertFalse(c.logY());
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
