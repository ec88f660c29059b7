package dev.echolab.loadgen;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Holds every free file descriptor of this process but {@code free} of them, until closed: whatever
 * runs in-process meanwhile meets "Too many open files" (EMFILE) at its next open after those.
 * Each descriptor is {@code /dev/null} opened once more; the process's limit bounds how many.
 *
 * <p>As a program, {@code HeldDescriptors FREE ARGS...} is {@code bin/loadgen ARGS...} in a fresh
 * JVM left with FREE descriptors: what a user meets when the up-front check was fooled, with
 * nothing loaded yet that the JDK loads only at first use.
 */
final class HeldDescriptors implements AutoCloseable {

    private static final Path NULL = Path.of("/dev/null");
    private final List<FileChannel> held = new ArrayList<>();

    private HeldDescriptors() {
    }

    static HeldDescriptors allBut(int free) throws IOException {
        HeldDescriptors d = new HeldDescriptors();
        try {
            while (true) {
                d.held.add(FileChannel.open(NULL));
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("Too many open files")) {
                d.close();
                throw e;
            }
        }
        for (int i = 0; i < free && !d.held.isEmpty(); i++) {
            d.held.removeLast().close();
        }
        return d;
    }

    public static void main(String[] args) throws IOException {
        int exit;
        try (HeldDescriptors held = allBut(Integer.parseInt(args[0]))) {
            exit = LoadgenCommand.commandLine(new LoadgenCommand()).execute(Arrays.copyOfRange(args, 1, args.length));
        }
        System.exit(exit);
    }

    @Override
    public void close() throws IOException {
        for (FileChannel c : held) {
            c.close();
        }
        held.clear();
    }
}
