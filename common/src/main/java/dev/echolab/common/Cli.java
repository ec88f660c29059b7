package dev.echolab.common;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
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
 *       {@code --verbose}.</li>
 *   <li>Converters registered once per command: every {@link Duration} option reads
 *       {@link Durations}' grammar; enums are read by their ids ({@link #byId}).</li>
 * </ul>
 */
public final class Cli {

    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    private Cli() {
    }

    /** A command line for {@code command} writing to {@code out} and {@code err}, with the shared converters and error forms. */
    public static CommandLine commandLine(Object command, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.registerConverter(Duration.class, parsing(Durations::parse));
        cl.setParameterExceptionHandler(Cli::badUsage);
        cl.setExecutionExceptionHandler(Cli::failed);
        cl.setUsageHelpWidth(100);
        return cl;
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

    /** Every id of an enum, comma-separated, in declaration order. */
    public static String ids(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "));
    }

    /**
     * A usage error found after parsing (a value out of range, options that do not go together),
     * in the same form as picocli's own: {@code Invalid value for option '--port': '99999' is not a
     * port (0 to 65535)}.
     */
    public static ParameterException invalid(CommandLine cl, String option, Object value, String expected) {
        return new ParameterException(cl, "Invalid value for option '" + option + "': '" + value + "' is not " + expected);
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

    /** One line, then the usage; exit 2. */
    private static int badUsage(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(oneLine(e.getMessage()));
        UnmatchedArgumentException.printSuggestions(e, err);
        err.println();
        cl.usage(err);
        return USAGE;
    }

    /** One line (a stack trace too with --verbose); exit 1. */
    private static int failed(Exception e, CommandLine cl, ParseResult parsed) {
        PrintWriter err = cl.getErr();
        String message = e.getMessage();
        err.println("error: " + (message == null || message.isBlank() ? "unexpected failure (--verbose shows where)" : oneLine(message)));
        if (parsed.hasMatchedOption("--verbose")) {
            e.printStackTrace(err);
        }
        return FAILURE;
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
