package dev.echolab.server;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one line {@code bin/server} prints once it is bound, and the only one a script should wait
 * for: {@code listening on 127.0.0.1:8080 backend=nio}, then details such as
 * {@code reactors=2} or {@code processes=2}. With {@code --port 0} it carries the real port.
 * Printed and read here only: the server, its {@code --processes} parent, the lab and the tests
 * all use this class.
 *
 * @param host    the bound address as the user wrote it (a wildcard stays {@code 0.0.0.0})
 * @param port    the bound port
 * @param backend the backend's id
 * @param details what else the backend says about itself; empty if nothing
 */
public record ReadyLine(String host, int port, String backend, String details) {

    private static final Pattern LINE = Pattern.compile("listening on (\\S+):(\\d+) backend=(\\S+)(?: (.*))?");

    /** The ready line in {@code line}, or empty if {@code line} is some other line. */
    public static Optional<ReadyLine> parse(String line) {
        Matcher m = LINE.matcher(line.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new ReadyLine(m.group(1), Integer.parseInt(m.group(2)), m.group(3),
                m.group(4) == null ? "" : m.group(4)));
    }

    @Override
    public String toString() {
        return "listening on " + host + ":" + port + " backend=" + backend + (details.isEmpty() ? "" : " " + details);
    }
}
