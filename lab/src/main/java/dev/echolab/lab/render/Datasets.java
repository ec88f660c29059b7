package dev.echolab.lab.render;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The datasets under {@code docs/data}, each read once per render. */
final class Datasets {

    private final Path dir;
    private final Map<String, Dataset> loaded = new HashMap<>();

    Datasets(Path dir) {
        this.dir = dir;
    }

    Dataset get(String name) {
        return loaded.computeIfAbsent(name, n -> Dataset.load(dir, n));
    }
}
