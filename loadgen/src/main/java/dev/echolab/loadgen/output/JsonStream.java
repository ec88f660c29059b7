package dev.echolab.loadgen.output;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --json-stream FILE}: JSON Lines, one {@link Progress} object a second, then the
 * {@link JsonReport} as the last object. Written here and read here ({@link #read}); {@code -} is
 * stdout, which then carries the stream alone (the text output is left out).
 */
public final class JsonStream implements AutoCloseable {

    public static final Path STDOUT = Path.of("-");

    private final PrintStream out;
    private final boolean ownsOut;

    private JsonStream(PrintStream out, boolean ownsOut) {
        this.out = out;
        this.ownsOut = ownsOut;
    }

    /** Opens {@code file} (truncated), or writes to {@code stdout} for {@code -}; null: no stream. */
    public static JsonStream open(Path file, PrintStream stdout) throws IOException {
        if (file == null) {
            return null;
        }
        if (file.equals(STDOUT)) {
            return new JsonStream(stdout, false);
        }
        OutputStream o = Files.newOutputStream(file);
        return new JsonStream(new PrintStream(o, false, StandardCharsets.UTF_8), true);
    }

    public void progress(Progress p) {
        out.println(p.toJson());
        out.flush();
    }

    /** The last object. */
    public void report(JsonReport r) {
        out.println(r.toJson());
        out.flush();
    }

    @Override
    public void close() {
        if (ownsOut) {
            out.close();
        }
    }

    /** A stream as read back: its progress objects in order, and its report (null if the run wrote none). */
    public record Contents(List<Progress> progress, JsonReport report) {
    }

    /**
     * Reads a stream.
     *
     * @throws IllegalArgumentException if a line is neither a progress object nor the report, or
     *                                  anything follows the report
     */
    public static Contents read(List<String> lines) {
        List<Progress> progress = new ArrayList<>();
        JsonReport report = null;
        for (String line : lines) {
            if (report != null) {
                throw new IllegalArgumentException("a line after the report: " + line);
            }
            JsonNode node;
            try {
                node = JsonReport.MAPPER.readTree(line);
            } catch (IOException e) {
                throw new IllegalArgumentException("not JSON: " + line, e);
            }
            if (node.has("type")) {
                progress.add(Progress.parse(line));
            } else {
                report = JsonReport.parse(line);
            }
        }
        return new Contents(List.copyOf(progress), report);
    }

    public static Contents read(Path file) throws IOException {
        return read(Files.readAllLines(file));
    }
}
