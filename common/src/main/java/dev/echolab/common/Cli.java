package dev.echolab.common;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * picocli the way every echolab command uses it: the command-line contract of docs/design.md in
 * one place.
 *
 * <ul>
 *   <li>Bad usage (an unknown option, a value that does not convert or is out of range): one line
 *       that names the option, the value and what would be valid, then the usage; exit
 *       {@value #USAGE}.</li>
 *   <li>A failure while running: one line; exit {@value #FAILURE}; a stack trace only with
 *       {@code --verbose}. A {@link Failure} is a failure the command foresaw (a host that does not
 *       resolve): its message is the line. Anything else is unexpected and says so.</li>
 *   <li>Converters registered once per command: every {@link Duration} option reads
 *       {@link Durations}' grammar, numbers say "a whole number" rather than Java's "an int", and
 *       enums are read by their ids ({@link #byId}).</li>
 * </ul>
 */
public final class Cli {

    /** The heading of every command's exit-status list in its {@code --help}. */
    public static final String EXIT_STATUS_HEADING = "%nExit status:%n";

    /**
     * The exit statuses of every echolab command, as every {@code --help} lists them (status, then
     * meaning); docs/design.md's table says the same. A server asked to stop by a signal has done
     * its job (drained, exit 0); any other command stopped by one reports it as a shell would.
     */
    public static final Map<String, String> EXIT_STATUS = exitStatus();

    private static Map<String, String> exitStatus() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("0", "ok; bin/server: stopped by SIGTERM, SIGINT or SIGHUP (drained)");
        m.put("1", "could not run, or the server failed (a runtime failure: port in use, connection refused, "
                + "an error or a mismatch in the echoes, an unreadable file)");
        m.put("2", "bad usage: one line naming the option or argument, then the usage");
        m.put("3", "a target missed: a bound set on bin/loadgen, a regression in bin/lab diff");
        m.put("128+N", "stopped by signal N (SIGTERM: 143) after stopping its children; not bin/server, which exits 0");
        return Collections.unmodifiableMap(m);
    }

    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    /** A target the user set was missed ({@code bin/loadgen}'s bounds, a regression in {@code bin/lab diff}). */
    public static final int MISSED = 3;

    private Cli() {
    }

    /** A command line for {@code command} writing to {@code out} and {@code err}, with the shared converters and error forms. */
    public static CommandLine commandLine(Object command, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.registerConverter(Duration.class, parsing(Durations::parse));
        cl.registerConverter(Integer.class, parsing(Cli::wholeNumber));
        cl.registerConverter(int.class, parsing(Cli::wholeNumber));
        cl.registerConverter(Long.class, parsing(Cli::longNumber));
        cl.registerConverter(long.class, parsing(Cli::longNumber));
        cl.registerConverter(Double.class, parsing(Cli::number));
        cl.registerConverter(double.class, parsing(Cli::number));
        cl.registerConverter(Path.class, parsing(Cli::path));
        cl.setParameterExceptionHandler(Cli::badUsage);
        cl.setExecutionExceptionHandler(Cli::failed);
        cl.setUsageHelpWidth(100);
        everyCommand(cl, c -> {
            c.getCommandSpec().versionProvider(new Version(c.getCommandSpec()));
            c.getCommandSpec().usageMessage().exitCodeListHeading(EXIT_STATUS_HEADING).exitCodeList(EXIT_STATUS);
        });
        return cl;
    }

    private static void everyCommand(CommandLine cl, Consumer<CommandLine> action) {
        action.accept(cl);
        for (CommandLine sub : cl.getSubcommands().values()) {
            everyCommand(sub, action);
        }
    }

    /** The project's version, from the build ({@code version.properties}, filled in by Maven), or {@code dev} outside a build. */
    public static String projectVersion() {
        try (InputStream in = Cli.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isBlank() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException e) {
            // unreadable resource: the fallback below says so
        }
        return "dev";
    }

    /**
     * Every command's and subcommand's {@code --version}: the command as typed, the project's version
     * from the build, and the JDK that runs it.
     */
    public static final class Version implements CommandLine.IVersionProvider {
        private final CommandLine.Model.CommandSpec spec;

        Version(CommandLine.Model.CommandSpec spec) {
            this.spec = spec;
        }

        @Override
        public String[] getVersion() {
            return new String[] {"echolab " + spec.qualifiedName() + " " + projectVersion(),
                    "JDK " + System.getProperty("java.vendor") + " " + Runtime.version()};
        }
    }

    /**
     * Reads an enum by its id ({@code toString()}, which every echolab enum makes its lower-case
     * command-line id), case-insensitively; the error lists every valid id.
     */
    public static <E extends Enum<E>> CommandLine.ITypeConverter<E> byId(Class<E> type, String noun) {
        return value -> {
            for (E e : type.getEnumConstants()) {
                if (e.toString().equalsIgnoreCase(value.strip())) {
                    return e;
                }
            }
            throw new CommandLine.TypeConversionException("unknown " + noun + " '" + value + "' (valid: " + ids(type) + ")");
        };
    }

    /**
     * An enum chosen on the command line by its id, the constant's name in lower case
     * ({@code io_uring} for {@code IO_URING}). Such an enum returns {@link #id()} from
     * {@code toString()} too: {@link #byId}, picocli's {@code ${COMPLETION-CANDIDATES}} and
     * {@code ${DEFAULT-VALUE}} all show what a user types.
     */
    public interface Choice {
        String name();

        default String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Every id of an enum, comma-separated, in declaration order. */
    public static String ids(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "));
    }

    /**
     * A usage error found after parsing (a value out of range), in the same form as picocli's own,
     * with the value as the user typed it: {@code Invalid value for option '--port': '99999' is not a
     * port from 0 to 65535}.
     */
    public static ParameterException invalid(CommandLine cl, String option, String expected) {
        return invalidValue(cl, option, "'" + typed(cl, option) + "' is not " + expected);
    }

    /**
     * A usage error about {@code option} whose {@code reason} (typically a parser's message, which
     * quotes the value) is already in the user's words: {@code Invalid value for option '--work':
     * 'sleep' is not a work spec (...)}.
     */
    public static ParameterException invalidValue(CommandLine cl, String option, String reason) {
        return new ParameterException(cl, "Invalid value for option '" + option + "': " + reason);
    }

    /** What the user typed for {@code option} (the last one, if repeated), or its default. */
    private static String typed(CommandLine cl, String option) {
        ParseResult parsed = cl.getParseResult();
        OptionSpec matched = parsed == null ? null : parsed.matchedOption(option);
        if (matched != null && !matched.stringValues().isEmpty()) {
            return matched.stringValues().getLast();
        }
        OptionSpec declared = cl.getCommandSpec().findOption(option);
        return declared == null ? "" : String.valueOf(declared.defaultValue());
    }

    /**
     * A converter from a parser whose {@link IllegalArgumentException} says, in the user's words,
     * what is wrong with the value; picocli then names the option.
     */
    public static <T> CommandLine.ITypeConverter<T> parsing(Function<String, T> parser) {
        return value -> {
            try {
                return parser.apply(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        };
    }

    /** A runtime failure the command foresaw: its message is the one line printed; exit 1. */
    public static final class Failure extends RuntimeException {
        public Failure(String line) {
            super(line);
        }
    }

    private static int wholeNumber(String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a whole number");
        }
    }

    private static long longNumber(String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a whole number");
        }
    }

    private static Path path(String value) {
        try {
            if (value.isBlank()) {
                throw new InvalidPathException(value, "empty");
            }
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + value + "' is not a file name");
        }
    }

    private static double number(String value) {
        try {
            double d = Double.parseDouble(value.strip());
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a number");
        }
    }

    /** One line, then the usage; exit 2. */
    private static int badUsage(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(shown(String.valueOf(e.getMessage()).strip()));
        UnmatchedArgumentException.printSuggestions(e, err);
        err.println();
        cl.usage(err);
        return USAGE;
    }

    /** One line (a stack trace too with --verbose); exit 1. */
    private static int failed(Exception e, CommandLine cl, ParseResult parsed) {
        PrintWriter err = cl.getErr();
        String message = e.getMessage();
        if (e instanceof Failure) {
            err.println(oneLine(message));
        } else {
            err.println("error: " + (message == null || message.isBlank() ? "unexpected failure (--verbose shows where)" : oneLine(message)));
        }
        if (parsed.hasMatchedOption("--verbose")) {
            e.printStackTrace(err);
        }
        return FAILURE;
    }

    /** {@code text} on one line: a line break or tab the user typed shows as {@code \n}, {@code \t}. */
    public static String shown(String text) {
        return text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
