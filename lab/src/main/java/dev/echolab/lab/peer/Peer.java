package dev.echolab.lab.peer;

import dev.echolab.common.Children;
import dev.echolab.lab.peer.Toolchain.Tool;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The peers: echo servers in C, Go and Python, in the repository's {@code peers/} folder, that run
 * the lab's cases beside the backends as references: the chapter's models in the languages it
 * was taught in, and the ceiling one core reaches ({@code c-epoll}). Each takes the server's
 * {@code --host}, {@code --port} and {@code --work} and prints its ready line, so the lab starts
 * it as it starts {@code bin/server}. A peer whose toolchain is missing is skipped with one line
 * saying what to install.
 */
public enum Peer {
    C_EPOLL("c-epoll", Tool.GCC, "peers/c-epoll.c"),
    C_THREADS("c-threads", Tool.GCC, "peers/c-threads.c"),
    GO("go", Tool.GO, "peers/go"),
    GEVENT("gevent", Tool.GEVENT, "peers/python/py_gevent.py"),
    PY_THREADS("py-threads", Tool.PYTHON, "peers/python/py_threads.py"),
    PY_ASYNCIO("py-asyncio", Tool.PYTHON, "peers/python/py_asyncio.py"),
    /** The chapter's multiplexers before epoll: every call scans every descriptor; select refuses past 1,024. */
    C_SELECT("c-select", Tool.GCC, "peers/c-select.c"),
    C_POLL("c-poll", Tool.GCC, "peers/c-poll.c"),
    /** A process per connection (the chapter's multiprocessing model): a fork, an exit and a wait per connection. */
    C_FORK("c-fork", Tool.GCC, "peers/c-fork.c"),
    PY_FORK("py-fork", Tool.PYTHON, "peers/python/py_fork.py"),
    /**
     * The chapter's printed gevent server with only the fixes it needs to start and to echo;
     * {@code --as-printed-serial} keeps its one-client-at-a-time {@code talk(conn)},
     * {@code --no-monkey-patch} leaves {@code time.sleep} (its {@code --work io:D}) blocking the loop.
     */
    GEVENT_CHAPTER("gevent-chapter", Tool.GEVENT, "peers/python/gevent_chapter.py");

    private static final long BUILD_TIMEOUT_S = 180;

    private final String id;
    private final Tool tool;
    private final String source;

    Peer(String id, Tool tool, String source) {
        this.id = id;
        this.tool = tool;
        this.source = source;
    }

    public String id() {
        return id;
    }

    /** What it needs to build and run. */
    Tool tool() {
        return tool;
    }

    @Override
    public String toString() {
        return id;
    }

    /** The ids, for {@code --peers}' help. */
    public static final class Ids implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(values()).map(Peer::id).iterator();
        }
    }

    /** Every id, comma-separated, in this order. */
    static String ids() {
        return Arrays.stream(values()).map(Peer::id).collect(Collectors.joining(", "));
    }

    /** {@code all}, {@code none} or ids separated by commas, in the order given, each once. */
    public static List<Peer> parse(String spec) {
        String s = spec.strip().toLowerCase(Locale.ROOT);
        if (s.equals("all")) {
            return List.of(values());
        }
        if (s.equals("none")) {
            return List.of();
        }
        Set<Peer> peers = new LinkedHashSet<>();
        for (String id : s.split(",", -1)) {
            String why = id.isBlank() ? "'" + spec + "' has an empty peer id" : "unknown peer '" + id.strip() + "'";
            peers.add(Arrays.stream(values()).filter(p -> p.id.equals(id.strip())).findFirst().orElseThrow(
                    () -> new IllegalArgumentException(why + " (valid: all, none, " + ids() + ")")));
        }
        return List.copyOf(peers);
    }

    /**
     * The command that starts this peer (without {@code --port} and {@code --work}), built under
     * {@code outDir} where it needs building; empty, after one line on {@code log} saying why, when
     * its toolchain is missing or the build fails.
     */
    public Optional<List<String>> prepare(Path home, Path outDir, Toolchain toolchain, PrintStream log) {
        return prepare("peer " + id, id, tool, home.resolve(source), outDir, toolchain, log);
    }

    /**
     * The command of each of {@code peers} that can run here, in their order ({@link #prepare}); one
     * that cannot is left out after one line on {@code log}.
     */
    public static Map<String, List<String>> commands(List<Peer> peers, Path home, Path outDir, Toolchain toolchain, PrintStream log) {
        Map<String, List<String>> commands = new LinkedHashMap<>();
        for (Peer p : peers) {
            p.prepare(home, outDir, toolchain, log).ifPresent(command -> commands.put(p.id(), command));
        }
        return commands;
    }

    /**
     * The command that runs the program at {@code src} (a C file, a Go module's folder or a Python
     * file), built under {@code outDir} as {@code id}; empty after one line on {@code log}
     * ("{@code what} skipped: ...") when its toolchain is missing or the build fails. The peers and
     * the chapter's switch-cost programs are built the same way.
     */
    public static Optional<List<String>> prepare(String what, String id, Tool tool, Path src, Path outDir, Toolchain toolchain, PrintStream log) {
        Optional<String> missing = toolchain.missing(tool);
        if (missing.isPresent()) {
            log.println(what + " skipped: " + missing.get());
            return Optional.empty();
        }
        if (tool == Tool.PYTHON || tool == Tool.GEVENT) {
            // -B: no __pycache__ written into the repository's peers/ folder
            return Optional.of(List.of(toolchain.python().toString(), "-B", src.toString()));
        }
        Path binary = outDir.resolve("peers").resolve(id);
        ProcessBuilder build = tool == Tool.GCC
                ? new ProcessBuilder(toolchain.find("gcc").orElseThrow().toString(), "-O2", "-pthread", "-o", binary.toString(), src.toString())
                : new ProcessBuilder(toolchain.find("go").orElseThrow().toString(), "build", "-o", binary.toString(), ".").directory(src.toFile());
        if (tool == Tool.GO) {
            build.environment().put("GOTOOLCHAIN", "local"); // never download a newer Go for a go.mod line
            build.environment().put("GOFLAGS", "");
            if (System.getenv("HOME") == null && System.getenv("XDG_CACHE_HOME") == null) {
                build.environment().put("GOCACHE", outDir.resolve("peers/go-cache").toString());
            }
        }
        return build(what, build, binary, log);
    }

    private static Optional<List<String>> build(String what, ProcessBuilder build, Path binary, PrintStream log) {
        String tool = Path.of(build.command().getFirst()).getFileName().toString();
        try {
            Files.createDirectories(binary.getParent());
            // output to a file, not a pipe: reading a pipe to its end would wait for a hung build
            // past the timeout
            Path buildLog = binary.resolveSibling(binary.getFileName() + ".build.log");
            Process p = Children.start(build.redirectErrorStream(true).redirectOutput(buildLog.toFile()));
            p.getOutputStream().close();
            boolean finished = p.waitFor(BUILD_TIMEOUT_S, TimeUnit.SECONDS);
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly); // go's compile and link steps too
                p.destroyForcibly();
            }
            if (!finished || p.exitValue() != 0) {
                List<String> output = Files.readAllLines(buildLog);
                log.println(what + " skipped: " + tool + (finished ? " failed: " + (output.isEmpty() ? "no output" : output.getFirst())
                        : " did not finish within " + BUILD_TIMEOUT_S + " s"));
                return Optional.empty();
            }
            return Optional.of(List.of(binary.toString()));
        } catch (IOException e) {
            log.println(what + " skipped: " + tool + " could not run (" + e.getMessage() + ")");
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
