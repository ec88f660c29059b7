package dev.echolab.server;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The {@code --offload N} pool of the event-loop backends: N platform threads that run the
 * {@code --work}, so the loop goes on serving other connections while one waits or computes.
 */
public final class Offload {

    private Offload() {
    }

    /** The pool the configuration asks for, or null: no offload, or no work to move. */
    public static ExecutorService pool(ServerConfig config) {
        if (config.offload() == 0 || config.work().isNone()) {
            return null;
        }
        return Executors.newFixedThreadPool(config.offload(),
                Thread.ofPlatform().name(config.backend().id() + "-offload-", 0).factory());
    }

    /** Interrupts the workers (a sleeping {@code io} work ends at once) and waits for them. */
    public static void shutdown(ExecutorService pool) {
        if (pool == null) {
            return;
        }
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
