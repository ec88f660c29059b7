package dev.echolab.loadgen;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code bin/loadgen merge} refuses what is not a log in one line, exit 1; the merging itself is in MultiProcessIT. */
class MergeCommandTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(10)
    void aMissingEmptyOrCorruptFileIsOneLineWithExitOne() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.hlog"));
        Path text = Files.writeString(dir.resolve("text.hlog"), "not a log\n1,2,3\n");
        Path garbled = Files.writeString(dir.resolve("garbled.hlog"), "0.000,1.000,1.0,@@@@\n");
        Path folder = Files.createDirectory(dir.resolve("folder.hlog"));
        refused("cannot read " + dir.resolve("none.hlog") + ": no such file", dir.resolve("none.hlog"));
        refused("cannot read " + folder + ": a directory, not a log", folder);
        String noInterval = " holds no measured interval (is it a bin/loadgen --hlog file of a run that measured?)";
        refused(empty + noInterval, empty);
        refused(text + noInterval, text);
        refused(garbled + " is not an HdrHistogram interval log (Failed to use platform's base64 decode method)", garbled);
        assertEquals(2, Loadgen.run("merge").exit(), "no file: usage");
    }

    private static void refused(String line, Path file) {
        Loadgen r = Loadgen.run("merge", file.toString());
        assertEquals(1, r.exit(), r::toString);
        assertEquals(line + System.lineSeparator(), r.err(), r::toString);
        assertEquals("", r.out(), r::toString);
    }
}
