package dev.echolab.common;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A child process and its output, the one way echolab commands and tests run another of its
 * commands: started through {@link Children} (so it never outlives this process), each piped
 * output stream read line by line on its own daemon thread and handed to a consumer (a pipe
 * nobody reads fills up and stalls the child), the first line that says it is ready awaited with
 * a time limit, and stopped with SIGTERM, then SIGKILL if it does not end in time.
 *
 * <p>The last lines of its error output (of stdout too when the builder merges the two) are kept,
 * so a child that fails can be reported with what it said.
 */
public final class ChildProcess implements AutoCloseable {

    private static final int KEEP_LINES = 15;

    private final Process process;
    private final Predicate<String> ready;
    private final CompletableFuture<String> readyLine = new CompletableFuture<>();
    private final Deque<String> lastLines = new ArrayDeque<>();
    private final List<Thread> readers = new ArrayList<>();

    private ChildProcess(Process process, Predicate<String> ready) {
        this.process = process;
        this.ready = ready;
    }

    /**
     * Starts {@code builder}'s command. Each stream the builder leaves piped is read: stdout's lines
     * go to {@code stdout}, stderr's to {@code stderr} (either may be null: read and dropped). A
     * stream the builder redirects (to a file, or inherited) is left to that redirect.
     *
     * @param ready which stdout line says the child is ready ({@link #awaitReady}); null: none does
     */
    public static ChildProcess start(ProcessBuilder builder, Predicate<String> ready, Consumer<String> stdout,
                                     Consumer<String> stderr) throws IOException {
        Process p = Children.start(builder);
        ChildProcess child = new ChildProcess(p, ready);
        String name = builder.command().getLast() + "-" + p.pid();
        if (builder.redirectOutput() == ProcessBuilder.Redirect.PIPE) {
            child.read(p.getInputStream(), name + "-stdout", stdout, builder.redirectErrorStream(), true);
        }
        if (builder.redirectError() == ProcessBuilder.Redirect.PIPE && !builder.redirectErrorStream()) {
            child.read(p.getErrorStream(), name + "-stderr", stderr, true, false);
        }
        if (builder.redirectOutput() != ProcessBuilder.Redirect.PIPE) {
            child.readyLine.completeExceptionally(new IOException("stdout is redirected: no ready line to read"));
        }
        return child;
    }

    private void read(InputStream in, String name, Consumer<String> consumer, boolean keep, boolean isStdout) {
        readers.add(Thread.ofPlatform().daemon().name(name).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (keep) {
                        synchronized (lastLines) {
                            lastLines.addLast(line);
                            if (lastLines.size() > KEEP_LINES) {
                                lastLines.removeFirst();
                            }
                        }
                    }
                    // the consumer first: whoever waits for the ready line finds it consumed too
                    if (consumer != null) {
                        consumer.accept(line);
                    }
                    if (isStdout && ready != null && !readyLine.isDone() && ready.test(line)) {
                        readyLine.complete(line);
                    }
                }
            } catch (IOException e) {
                // the child has gone; its exit status says how
            } finally {
                if (isStdout) {
                    readyLine.completeExceptionally(new IOException("output ended"));
                }
            }
        }));
    }

    /**
     * Waits for the ready line and returns it.
     *
     * @throws NotReadyException when the child's output ended without it, or {@code timeout} passed
     *                           (the child is then left running: the caller decides)
     */
    public String awaitReady(Duration timeout) throws NotReadyException, InterruptedException {
        try {
            return readyLine.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new NotReadyException("not ready after " + Durations.format(timeout), true, lastLines());
        } catch (ExecutionException e) {
            Integer status = awaitExit(Duration.ofSeconds(2));
            throw new NotReadyException("exited before it was ready (status " + status + ")", false, lastLines());
        }
    }

    /** Writes {@code line} to the child's stdin; false if it has gone. */
    public boolean send(String line) {
        try {
            OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The exit status once the child has ended and its output has been read, or null if it has not ended within {@code limit}. */
    public Integer awaitExit(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        if (!process.waitFor(limit.toNanos(), TimeUnit.NANOSECONDS)) {
            return null;
        }
        for (Thread t : readers) {
            t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
        return process.exitValue();
    }

    /**
     * SIGTERM, then waits up to {@code grace}; SIGKILL after that. When it returns an exit status,
     * the child's output has been read to its end (as {@link #awaitExit} does).
     *
     * @return the exit status, or null if it had to be killed
     */
    public Integer stop(Duration grace) {
        process.toHandle().destroy();
        try {
            Integer status = awaitExit(grace);
            if (status != null) {
                return status;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        return null;
    }

    /** Stops the child if it still runs (SIGTERM, SIGKILL after 5 s). */
    @Override
    public void close() {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(5));
        }
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines of its error output (and of stdout when merged into it), oldest first. */
    public List<String> lastLines() {
        synchronized (lastLines) {
            return new ArrayList<>(lastLines);
        }
    }

    /** The child did not print its ready line: why, and what it said last. */
    public static final class NotReadyException extends Exception {
        private final boolean timedOut;
        private final transient List<String> output;

        NotReadyException(String message, boolean timedOut, List<String> output) {
            super(message);
            this.timedOut = timedOut;
            this.output = output;
        }

        /** True when it was still running at the time limit; false when its output ended. */
        public boolean timedOut() {
            return timedOut;
        }

        public List<String> output() {
            return output;
        }
    }
}
