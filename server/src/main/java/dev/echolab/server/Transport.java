package dev.echolab.server;

import dev.echolab.common.Cli;

/**
 * The IO mechanism under the {@code netty} backend ({@code --transport}). The other backends have
 * their mechanism built into the model and ignore it.
 */
public enum Transport implements Cli.Choice {

    /** The best one available: io_uring, then epoll, then nio. */
    AUTO("io_uring if available, else epoll, else nio"),
    /** Java NIO's selector (epoll behind the JDK on Linux): works everywhere. */
    NIO("Java NIO selector (portable)"),
    /** Netty's own JNI binding to epoll, edge-triggered. */
    EPOLL("native epoll through JNI (Linux)"),
    /** Completion-based kernel IO: the kernel does the read and reports when it is done. */
    IO_URING("native io_uring: the kernel does the copy, true asynchronous IO");

    private final String summary;

    Transport(String summary) {
        this.summary = summary;
    }

    public String summary() {
        return summary;
    }

    /** The id ({@code io_uring}), so help texts and logs show what a user types. */
    @Override
    public String toString() {
        return id();
    }
}
