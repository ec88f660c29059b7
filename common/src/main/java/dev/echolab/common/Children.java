package dev.echolab.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Child processes that never outlive the command that started them, whatever ends it: the one way
 * every echolab command starts a process ({@code bin/server --processes}, {@code bin/lab}).
 *
 * <ol>
 *   <li><b>Any ending that runs code</b> (SIGTERM, SIGINT, SIGHUP, {@code System.exit}, an
 *       exception that ends {@code main}): a shutdown hook sends SIGTERM to every child still
 *       running, waits up to {@value #GRACE_SECONDS} s, then sends SIGKILL. A command that handles
 *       those signals itself calls {@link #stopAll} on its way out.</li>
 *   <li><b>SIGKILL</b>, where no code of ours can run: the kernel's parent-death signal. Each child
 *       is started through util-linux's {@code setpriv --pdeathsig TERM}, which asks the kernel
 *       ({@code prctl(PR_SET_PDEATHSIG)}) to send the child SIGTERM when its parent dies, then
 *       executes the real command. The signal follows the <em>thread</em> that started the child,
 *       so every child is started from one thread that lives as long as the JVM.</li>
 * </ol>
 *
 * Where {@code setpriv} is missing (not Linux) only the first half applies.
 */
public final class Children {

    static final int GRACE_SECONDS = 5;
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    /**
     * The one thread that starts children. Tasks go through {@code submit}, whose exceptions stay in
     * the future: a thread that died of one would be replaced, and its children signalled.
     */
    private static final ExecutorService SPAWNER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "children-spawner");
        t.setDaemon(true);
        return t;
    });
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAll(Duration.ofSeconds(GRACE_SECONDS)), "children-stop"));
    }

    private Children() {
    }

    /** Starts {@code builder}'s command as a child that stops when this process stops. */
    public static Process start(ProcessBuilder builder) throws IOException {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETPRIV)) {
            command.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "TERM", "--"));
        }
        command.addAll(builder.command());
        ProcessBuilder spawning = new ProcessBuilder(command)
                .directory(builder.directory())
                .redirectInput(builder.redirectInput())
                .redirectOutput(builder.redirectOutput())
                .redirectError(builder.redirectError())
                .redirectErrorStream(builder.redirectErrorStream());
        spawning.environment().clear();
        spawning.environment().putAll(builder.environment());
        try {
            Process p = SPAWNER.submit(spawning::start).get();
            RUNNING.add(p);
            p.onExit().thenRun(() -> RUNNING.remove(p));
            return p;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new UncheckedIOException(new IOException(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + builder.command().getFirst(), e);
        }
    }

    /**
     * The command that runs {@code mainClass} in a new JVM like this one: the same java, JVM options
     * and class path (less a debugger's agent: its port can be bound only once). Start it with {@link #start}.
     */
    public static List<String> javaCommand(String mainClass) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-agentlib:jdwp")) {
                cmd.add(arg);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        return cmd;
    }

    /**
     * SIGTERM to every child still running (and to their descendants), then SIGKILL to any left
     * after {@code grace}.
     *
     * @return the processes that had to be killed
     */
    public static List<ProcessHandle> stopAll(Duration grace) {
        List<ProcessHandle> all = new ArrayList<>();
        for (Process p : RUNNING) {
            all.addAll(p.descendants().toList());
            all.add(p.toHandle());
        }
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        List<ProcessHandle> killed = new ArrayList<>();
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception stillRunning) {
                h.destroyForcibly();
                killed.add(h);
            }
        }
        return killed;
    }
}
