package dev.echolab.common;

import java.io.IOException;
import java.io.InputStream;

/**
 * How a child process of an echolab command notices that its parent is gone, whatever ended the
 * parent: the child's stdin is a pipe from the parent, which the parent never writes to. When the
 * parent exits, even by SIGKILL (where no hook of its own can run), the kernel closes its end of
 * the pipe and the child reads end-of-file.
 */
public final class ParentWatch {

    private ParentWatch() {
    }

    /** Runs {@code action} (on a daemon thread) once {@code stdin} ends or breaks. */
    public static void onParentExit(InputStream stdin, Runnable action) {
        Thread.ofPlatform().daemon().name("parent-watch").start(() -> {
            try {
                while (stdin.read() >= 0) {
                    // the parent never writes; anything that arrives is ignored
                }
            } catch (IOException e) {
                // a broken pipe means the same as end-of-file
            }
            action.run();
        });
    }
}
