package dev.echolab.lab.compare;

import dev.echolab.lab.run.CaseResult;
import dev.echolab.lab.run.Summary;
import java.io.PrintStream;
import java.time.Duration;

/**
 * The progress bar across the matrix: cases done of total, the current case and the time left,
 * redrawn in place on a terminal and printed as plain lines elsewhere (CI logs); plus one line per
 * finished case.
 */
final class Progress {

    private static final int WIDTH = 30;
    private final PrintStream out;
    private final int total;
    private final boolean terminal = System.console() != null;
    private final long start = System.nanoTime();
    private final double expectedSecondsPerCase;
    private int done;

    Progress(PrintStream out, int total, double expectedSecondsPerCase) {
        this.out = out;
        this.total = total;
        this.expectedSecondsPerCase = expectedSecondsPerCase;
    }

    void starting(CaseResult c) {
        int filled = total == 0 ? WIDTH : WIDTH * done / total;
        String bar = "[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "]";
        String line = String.format("%s %d/%d  %-45s ~%s left", bar, done, total, c.label(), left());
        if (terminal) {
            out.print("\r" + line + "\u001b[K");
        } else {
            out.println(line);
        }
        out.flush();
    }

    void finished(CaseResult c) {
        done++;
        if (terminal) {
            out.print("\r\u001b[K");
        }
        out.println("  " + (c.status == CaseResult.Status.ok ? "done " : c.status + " ") + c.label() + ": " + Summary.oneLine(c));
    }

    private String left() {
        double elapsed = (System.nanoTime() - start) / 1e9;
        double perCase = done == 0 ? expectedSecondsPerCase : elapsed / done;
        Duration d = Duration.ofSeconds(Math.round(perCase * (total - done)));
        return d.toMinutes() > 0 ? d.toMinutes() + "m" + String.format("%02ds", d.toSecondsPart()) : d.toSeconds() + "s";
    }
}
