package dev.echolab.server;

/** slf4j-simple settings for the command-line tools: terse lines on stderr, debug with --verbose. */
public final class Logging {

    private Logging() {
    }

    /** Must run before the first logger is created. */
    public static void configure(boolean verbose) {
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : "info");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showLogName", String.valueOf(verbose));
        setDefault("org.slf4j.simpleLogger.showShortLogName", "false");
        setDefault("org.slf4j.simpleLogger.levelInBrackets", "false");
        // Netty is chatty at debug level about its own platform probing.
        setDefault("org.slf4j.simpleLogger.log.io.netty", verbose ? "info" : "warn");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
