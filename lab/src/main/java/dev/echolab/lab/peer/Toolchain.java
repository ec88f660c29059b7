package dev.echolab.lab.peer;

import dev.echolab.common.Children;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where the peers' tools are found: gcc and go on the {@code PATH}, and Debian's own Python, the
 * one {@code apt-get install python3-gevent} serves (a pyenv or venv python3 first on the
 * {@code PATH} usually has no gevent). Injectable, so a test can take a tool away.
 *
 * @param path   the directories searched for gcc and go, in order
 * @param python the Python interpreter the Python peers run on
 */
public record Toolchain(List<Path> path, Path python) {

    /** What a peer needs, and the line that tells a user how to get it. */
    public enum Tool {
        GCC("gcc not installed (apt-get install gcc)"),
        GO("go not installed (apt-get install golang-go)"),
        PYTHON("python3 not installed (apt-get install python3)"),
        GEVENT("gevent not installed (apt-get install python3-gevent)");

        final String missing;

        Tool(String missing) {
            this.missing = missing;
        }
    }

    /** This machine's: the process's {@code PATH}, and /usr/bin/python3. */
    public static Toolchain system() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        return new Toolchain(Arrays.stream(path.split(File.pathSeparator)).filter(s -> !s.isEmpty()).map(Path::of).toList(),
                Path.of("/usr/bin/python3"));
    }

    /** The first executable {@code name} on the path. */
    Optional<Path> find(String name) {
        return path.stream().map(dir -> dir.resolve(name)).filter(Files::isExecutable).findFirst();
    }

    /** Why {@code tool} cannot be had (the line after "skipped: "), or empty when it is there. */
    public Optional<String> missing(Tool tool) {
        boolean there = switch (tool) {
            case GCC -> find("gcc").isPresent();
            case GO -> find("go").isPresent();
            case PYTHON -> Files.isExecutable(python);
            case GEVENT -> Files.isExecutable(python) && pythonImports("gevent");
        };
        return there ? Optional.empty() : Optional.of(tool.missing);
    }

    private boolean pythonImports(String module) {
        try {
            Process p = Children.start(new ProcessBuilder(python.toString(), "-c", "import " + module)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD));
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
