package dev.echolab.loadgen;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of the per-second progress lines {@link Monitor} prints, read back: by
 * {@link LoadgenProcesses} from its children, and by the lab for its msgs/s-over-time charts.
 *
 * @param seconds        time since the load started (the connections are open), as printed
 * @param measuring      false during the warm-up
 * @param msgsPerS       verified messages per second over the last second
 * @param p99Us          p99 of the last second, or -1 when nothing was recorded
 * @param correctedP99Us open loop only: the corrected p99, or -1
 * @param errors         errors so far
 * @param live           connections still open
 */
public record ProgressLine(long seconds, boolean measuring, double msgsPerS, long p99Us, long correctedP99Us,
                           long errors, long live) {

    private static final Pattern LINE = Pattern.compile(
            "^\\[\\s*(\\d+)s] (\\S+)\\s+([\\d.]+) msgs/s\\s+p99 (\\S+) us(?: \\(corrected (\\d+) us\\))?\\s+errors (\\d+)\\s+live (\\d+)");

    /** The line as a progress line, or empty for any other line of the output. */
    public static Optional<ProgressLine> parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new ProgressLine(Long.parseLong(m.group(1)), m.group(2).equals("measuring"),
                Double.parseDouble(m.group(3)), m.group(4).equals("-") ? -1 : Long.parseLong(m.group(4)),
                m.group(5) == null ? -1 : Long.parseLong(m.group(5)), Long.parseLong(m.group(6)), Long.parseLong(m.group(7))));
    }
}
