package dev.echolab.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the load generator in-process or in a child process, with captured output, as a user would from the shell. */
record Loadgen(int exit, String out, String err, long millis) {

    static Loadgen run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long start = System.nanoTime();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            int exit = LoadgenCommand.commandLine(new LoadgenCommand(o, e)).execute(args);
            return new Loadgen(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    /**
     * Runs {@code command} (a launcher, or a JVM running the load generator) in a child process.
     * A child that hangs, or outlives an interrupted test, is killed through its own handle.
     */
    static Loadgen child(List<String> command) throws Exception {
        Path out = Files.createTempFile("loadgen-out", ".txt");
        Path err = Files.createTempFile("loadgen-err", ".txt");
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                throw new AssertionError(command + " did not end");
            }
            return new Loadgen(p.exitValue(), Files.readString(out), Files.readString(err),
                    (System.nanoTime() - start) / 1_000_000);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();

    /** A run and its {@code --json} document. */
    record WithJson(Loadgen run, JsonNode doc) {
    }

    /** {@link #child} with {@code --json FILE} added (a temporary file, removed after); the document read back. */
    static WithJson childWithJson(List<String> command) throws Exception {
        Path json = Files.createTempFile("loadgen", ".json");
        try {
            List<String> withJson = new java.util.ArrayList<>(command);
            withJson.addAll(List.of("--json", json.toString()));
            Loadgen r = child(withJson);
            return new WithJson(r, Files.size(json) == 0 ? null : json(json));
        } finally {
            Files.deleteIfExists(json);
        }
    }

    /** The {@code --json} file, parsed. */
    static JsonNode json(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    /** The number at {@code path} ({@code /errors_by_kind/timeout}); a missing field fails the test. */
    static double number(JsonNode doc, String path) {
        JsonNode n = doc.at(path);
        if (!n.isNumber()) {
            throw new AssertionError("no number at " + path + " in " + doc);
        }
        return n.asDouble();
    }

    /** The text at {@code path} ({@code /first_errors/local_limit}); a missing field fails the test. */
    static String text(JsonNode doc, String path) {
        JsonNode n = doc.at(path);
        if (!n.isTextual()) {
            throw new AssertionError("no text at " + path + " in " + doc);
        }
        return n.asText();
    }

    @Override
    public String toString() {
        return "exit " + exit + " after " + millis + " ms\n--- out\n" + out + "--- err\n" + err;
    }
}
