package dev.echolab.loadgen;

import dev.echolab.loadgen.driver.BlockingDriver;
import dev.echolab.loadgen.driver.NioDriver;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;

/**
 * The {@code --driver} choices, in reading order. They load the server in the same way and verify
 * the same bytes; only how client connections are mapped onto threads differs, which is exactly
 * what a reader can compare.
 */
public enum DriverKind {
    /** One platform thread per connection, blocking reads: the seed program's 500 client threads. */
    PLATFORM,
    /** The same blocking loop on one virtual thread per connection. */
    VIRTUAL,
    /** One selector thread (or {@code --selectors N}) multiplexing every connection. */
    NIO;

    /** The id on the command line: {@code platform}, {@code virtual}, {@code nio}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return id();
    }

    Driver create(Settings settings) {
        return switch (this) {
            case PLATFORM -> new BlockingDriver(Thread.ofPlatform().name("loadgen-", 0).daemon(true));
            case VIRTUAL -> new BlockingDriver(Thread.ofVirtual().name("loadgen-", 0));
            case NIO -> new NioDriver(settings.selectors());
        };
    }

    /** Completion candidates for picocli's help: the ids. */
    public static final class Ids implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(values()).map(DriverKind::id).iterator();
        }
    }
}
