package dev.echolab.lab.chapter;

import java.util.List;

/**
 * The chapter's experiments as data: the work each message costs, the load, and the runtimes that
 * answer the question, each with the model it stands for and what the chapter says it should do.
 * {@link ChapterCommand} runs them.
 *
 * <p>The load is the same for every runtime of an experiment: {@code connections} connections, one
 * message in flight each, at an open-loop {@code rate} above what the fastest runtime can serve
 * for that work (2 cores / 1 ms = 2,000 msgs/s of {@code cpu:1ms}; 20 connections / 2 ms = 10,000
 * msgs/s of {@code io:2ms}). A connection then always has its next message due when a reply
 * comes, so msgs/s is what the server served, while the rate bounds what the load generator
 * sends (and burns) should a runtime be faster than expected.
 */
enum ChapterExperiment {

    GIL("gil", "CPU-bound work: threads, processes and the GIL",
            "Java threads (platform, pooled, virtual), C threads and goroutines spread CPU-bound work over every core; "
                    + "one Python process runs Python code on one core at a time, however many threads or greenlets it has (the GIL); "
                    + "a second process brings a second interpreter and a second core; an event loop that does the work itself is one core.",
            "cpu:1ms", 50, 3_000, List.of(
            Runtime.backend("blocking", "Java, platform thread per connection", "2 cores"),
            Runtime.backend("pool", "Java, blocking IO on a pool of 200 threads", "2 cores"),
            Runtime.backend("virtual", "Java, virtual thread per connection", "2 cores"),
            Runtime.backend("nio", "Java, one selector loop doing the work itself", "1 core: one loop"),
            Runtime.backend("nio", List.of("--offload", "2"), "Java, selector loop, work on a pool of 2 threads", "2 cores"),
            Runtime.peer("c-threads", "C, thread per connection (no GIL)", "2 cores"),
            Runtime.peer("go", "Go, goroutine per connection", "2 cores"),
            Runtime.peer("py-threads", "Python, thread per connection", "1 core: the GIL"),
            Runtime.peer("gevent", "Python, greenlet per connection (one thread)", "1 core: one thread"),
            Runtime.peer("py-threads", List.of("--processes", "2"), "Python, threads in 2 processes", "2 cores: a GIL each"))),

    IO("io", "IO-bound work: who may wait",
            "A runtime that gives each connection its own thread, virtual thread, goroutine, greenlet or task overlaps the waits: "
                    + "msgs/s ~ connections / 2 ms, on a fraction of a core. An event loop that sleeps on its own thread "
                    + "serves one message per 2 ms for everybody (~500 msgs/s) unless the work is offloaded.",
            "io:2ms", 20, 12_000, List.of(
            Runtime.backend("blocking", "Java, platform thread per connection", "~10,000 msgs/s"),
            Runtime.backend("pool", "Java, blocking IO on a pool of 200 threads", "~10,000 msgs/s"),
            Runtime.backend("virtual", "Java, virtual thread per connection", "~10,000 msgs/s"),
            Runtime.backend("nio", "Java, one selector loop that sleeps itself", "~500 msgs/s"),
            Runtime.backend("nio", List.of("--offload", "20"), "Java, selector loop, work on a pool of 20 threads", "~10,000 msgs/s"),
            Runtime.peer("go", "Go, goroutine per connection", "~10,000 msgs/s"),
            Runtime.peer("gevent", "Python, greenlet per connection", "~10,000 msgs/s"),
            Runtime.peer("py-threads", "Python, thread per connection", "~10,000 msgs/s"),
            Runtime.peer("py-asyncio", "Python, asyncio tasks on one loop", "~10,000 msgs/s"))),

    PROCESSES("processes", "Processes vs threads for the same server",
            "For CPU-bound work, Java reactors in one process (--threads 2) use both cores as two processes do: "
                    + "the JVM has no GIL. Python threads in one process stay on one core; two processes use both. "
                    + "IO-bound work with processes is not part of this experiment.",
            "cpu:1ms", 50, 3_000, List.of(
            Runtime.backend("nio", List.of("--threads", "2"), "Java, 2 reactor threads in 1 process", "2 cores"),
            Runtime.backend("nio", List.of("--processes", "2"), "Java, 2 processes of 1 reactor", "2 cores"),
            Runtime.peer("py-threads", "Python, threads in 1 process", "1 core: the GIL"),
            Runtime.peer("py-threads", List.of("--processes", "2"), "Python, threads in 2 processes", "2 cores")));

    final String id;
    final String title;
    final String proves;
    final String work;
    final int connections;
    final int rate;
    final List<Runtime> runtimes;

    ChapterExperiment(String id, String title, String proves, String work, int connections, int rate, List<Runtime> runtimes) {
        this.id = id;
        this.title = title;
        this.proves = proves;
        this.work = work;
        this.connections = connections;
        this.rate = rate;
        this.runtimes = runtimes;
    }

    @Override
    public String toString() {
        return id;
    }

    /**
     * One row of an experiment: an echolab backend ({@code bin/server --backend ID}) or a peer from
     * {@code peers/}, with the options that make it this model, what it stands for, and what the
     * chapter expects of it.
     */
    record Runtime(String id, List<String> options, boolean peer, String model, String expected) {

        static Runtime backend(String id, String model, String expected) {
            return new Runtime(id, List.of(), false, model, expected);
        }

        static Runtime backend(String id, List<String> options, String model, String expected) {
            return new Runtime(id, options, false, model, expected);
        }

        static Runtime peer(String id, String model, String expected) {
            return new Runtime(id, List.of(), true, model, expected);
        }

        static Runtime peer(String id, List<String> options, String model, String expected) {
            return new Runtime(id, options, true, model, expected);
        }

        /** {@code nio --offload 2}: the id with its options, as a table row names it. */
        String label() {
            return options.isEmpty() ? id : id + " " + String.join(" ", options);
        }
    }
}
