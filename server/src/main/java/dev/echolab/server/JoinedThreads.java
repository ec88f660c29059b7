package dev.echolab.server;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;

/**
 * A thread factory that remembers the threads it made, so that {@code close()} can join them. An
 * executor's or event-loop group's termination is signalled by its last thread on its way out, while
 * that thread (and others just before it) are still alive; joining the threads themselves is what
 * makes "close() returns when every thread the server started has ended" hold. Ended threads are
 * forgotten as new ones are made (a thread per connection would otherwise be remembered forever).
 */
public final class JoinedThreads implements ThreadFactory {

    private final ThreadFactory factory;
    private final Set<Thread> made = ConcurrentHashMap.newKeySet();
    private volatile int forgetAt = 64;

    public JoinedThreads(ThreadFactory factory) {
        this.factory = factory;
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread t = factory.newThread(task);
        if (made.size() >= forgetAt) {
            made.removeIf(old -> !old.isAlive());
            forgetAt = Math.max(64, 2 * made.size());
        }
        made.add(t);
        return t;
    }

    /** Waits for every thread made so far to end (call it once the executor or group has been told to stop). */
    public void join() throws InterruptedException {
        for (Thread t : made) {
            t.join();
        }
    }
}
