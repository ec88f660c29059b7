package dev.echolab.lab.chapter;

import dev.echolab.common.BadValues;
import dev.echolab.lab.LabCommand;
import dev.echolab.lab.compare.CompareFailuresTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bin/lab chapter}'s command line: bad usage is one line, the usage, exit 2, and nothing is started. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChapterCommandTest {

    static CompareFailuresTest.Run chapter(Path home, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int exit = LabCommand.commandLine(new ChapterCommand(o, e, home), o, e).execute(args);
        return new CompareFailuresTest.Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Every option that takes a value, with values it must refuse; a new option without any fails the test. */
    static final Map<String, List<String>> BAD_VALUES = Map.of(
            "--experiment", List.of("telepathy", ""),
            "--runtimes", List.of("cobol", ""),
            "--duration", List.of("0", "soon"),
            "--warmup", List.of("soon", "-1s"),
            "--retries", List.of("-1", "twice"),
            "--out", List.of(""),
            "--ready-timeout", List.of("0", "soon"));

    @Test
    void everyOptionRefusesABadValueInOneLineThenTheUsageWithExitTwo(@TempDir Path tmp) {
        BadValues.assertEveryOptionRefusesItsBadValues(
                LabCommand.commandLine(new ChapterCommand(System.out, System.err, tmp), System.out, System.err).getCommandSpec(),
                BAD_VALUES, (option, value) -> {
                    CompareFailuresTest.Run r = option.equals("--out") ? chapter(tmp, option, value)
                            : chapter(tmp, option, value, "--out", tmp.resolve("never").toString());
                    return new BadValues.Refusal(r.exit(), r.err());
                });
        assertFalse(Files.exists(tmp.resolve("never")), "bad usage writes nothing");
    }

    @Test
    void anUnknownExperimentNamesTheValidOnes(@TempDir Path tmp) {
        CompareFailuresTest.Run r = chapter(tmp, "--experiment", "gil,threads", "--out", tmp.toString());
        assertEquals(2, r.exit());
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.contains("unknown experiment 'threads'") && first.contains("all, gil, io, processes"), first);
    }

    @Test
    void aRuntimeMustBeOneOfTheChosenExperiments(@TempDir Path tmp) {
        CompareFailuresTest.Run r = chapter(tmp, "--experiment", "processes", "--runtimes", "gevent", "--out", tmp.toString());
        assertEquals(2, r.exit());
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.contains("unknown runtime 'gevent' in these experiments") && first.contains("(valid: all, nio, py-threads)"), first);
    }
}
