package dev.echolab.loadgen;

import java.io.ByteArrayOutputStream;
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

    /** Value of a top-level or nested numeric JSON field, found by its key (keys here are unique enough). */
    static double number(String json, String key) {
        int i = json.indexOf("\"" + key + "\":");
        if (i < 0) {
            throw new AssertionError("no field " + key + " in " + json);
        }
        int start = i + key.length() + 3;
        int end = start;
        while (end < json.length() && "-0123456789.eE".indexOf(json.charAt(end)) >= 0) {
            end++;
        }
        return Double.parseDouble(json.substring(start, end));
    }

    /** Value of a string JSON field without escapes, found by its key, e.g. a first error line. */
    static String text(String json, String key) {
        String open = "\"" + key + "\":\"";
        int i = json.indexOf(open);
        if (i < 0) {
            throw new AssertionError("no text field " + key + " in " + json);
        }
        int start = i + open.length();
        return json.substring(start, json.indexOf('"', start));
    }

    @Override
    public String toString() {
        return "exit " + exit + " after " + millis + " ms\n--- out\n" + out + "--- err\n" + err;
    }
}
