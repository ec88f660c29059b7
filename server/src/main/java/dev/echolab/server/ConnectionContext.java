package dev.echolab.server;

import java.util.concurrent.Executor;

/**
 * What every connection of one server shares, whatever the model: the counters it bumps, the
 * limits it asks, the {@code --work} it does per message and where that work runs. A backend's
 * connection class takes its own channel and this.
 *
 * @param stats   the server's counters
 * @param limits  the server's {@code --max-connections}, {@code --idle-timeout} and
 *                {@code --max-buffered} policy
 * @param work    what to do per message before the echo ({@link Work#NONE}: nothing)
 * @param offload where {@code --offload} runs the work; null runs it on the thread that read the
 *                message (the event loop, or the connection's own thread)
 */
public record ConnectionContext(ServerStats stats, Limits limits, Work work, Executor offload) {
}
