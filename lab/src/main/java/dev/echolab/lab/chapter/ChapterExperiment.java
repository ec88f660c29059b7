package dev.echolab.lab.chapter;

import java.util.List;

/**
 * The chapter's experiments as data: the work each message costs, the load, and the runtimes that
 * answer the question, each with the model it stands for and what the chapter says it should do.
 * {@link ChapterCommand} runs them.
 *
 * <p>The load is the same for every runtime of an experiment: {@code connections} connections, one
 * message in flight each, at an open-loop rate above what the fastest runtime can serve for that
 * work: for CPU-bound work more than the machine's cores can spin through (cores / the work's
 * duration), for IO-bound work more than the connections can wait through (connections / the
 * work's duration). A connection then always has its next message due when a reply comes, so
 * msgs/s is what the server served, while the rate bounds what the load generator sends (and
 * burns) should a runtime be faster than expected. "{cores}" in what a row expects is the machine's
 * CPU count.
 *
 * <p>An experiment whose rate is 0 ({@code stream}) runs a closed loop: its question is what one
 * read brings when a connection sends several messages at once, not how much a runtime serves.
 *
 * <p>{@link Kind#SWITCH} is not a load: it times one switch in each runtime ({@link SwitchCost}).
 */
enum ChapterExperiment {

    GIL("gil", "CPU-bound work: threads, processes and the GIL",
            "Java threads (platform, pooled, virtual), C threads and goroutines spread CPU-bound work over every core; "
                    + "one Python process runs Python code on one core at a time, however many threads or greenlets it has (the GIL); "
                    + "a second process brings a second interpreter and a second core; an event loop that does the work itself is one core.",
            "cpu:1ms", 50, ChapterExperiment::cpuBound, List.of(
            Runtime.backend("blocking", "Java, platform thread per connection", "{cores} cores"),
            Runtime.backend("pool", "Java, blocking IO on a pool of 200 threads", "{cores} cores"),
            Runtime.backend("virtual", "Java, virtual thread per connection", "{cores} cores"),
            Runtime.backend("nio", "Java, one selector loop doing the work itself", "1 core: one loop"),
            Runtime.backend("nio", List.of("--offload", "2"), "Java, selector loop, work on a pool of 2 threads", "2 cores"),
            Runtime.peer("c-threads", "C, thread per connection (no GIL)", "{cores} cores"),
            Runtime.peer("go", "Go, goroutine per connection", "{cores} cores"),
            Runtime.peer("py-threads", "Python, thread per connection", "1 core: the GIL"),
            Runtime.peer("gevent", "Python, greenlet per connection (one thread)", "1 core: one thread"),
            Runtime.peer("py-threads", List.of("--processes", "2"), "Python, threads in 2 processes", "2 cores: a GIL each"))),

    IO("io", "IO-bound work: who may wait",
            "A runtime that gives each connection its own thread, virtual thread, goroutine, greenlet or task overlaps the waits: "
                    + "msgs/s ~ connections / 2 ms, on a fraction of a core. An event loop that sleeps on its own thread "
                    + "serves one message per 2 ms for everybody (~500 msgs/s) unless the work is offloaded.",
            "io:2ms", 20, cpus -> 12_000, List.of(
            Runtime.backend("blocking", "Java, platform thread per connection", "~10,000 msgs/s"),
            Runtime.backend("pool", "Java, blocking IO on a pool of 200 threads", "~10,000 msgs/s"),
            Runtime.backend("virtual", "Java, virtual thread per connection", "~10,000 msgs/s"),
            Runtime.backend("nio", "Java, one selector loop that sleeps itself", "~500 msgs/s"),
            Runtime.backend("nio", List.of("--offload", "20"), "Java, selector loop, work on a pool of 20 threads", "~10,000 msgs/s"),
            Runtime.peer("go", "Go, goroutine per connection", "~10,000 msgs/s"),
            Runtime.peer("gevent", "Python, greenlet per connection", "~10,000 msgs/s"),
            Runtime.peer("py-threads", "Python, thread per connection", "~10,000 msgs/s"),
            Runtime.peer("py-asyncio", "Python, asyncio tasks on one loop", "~10,000 msgs/s"),
            Runtime.peer("py-threads", List.of("--processes", "2"), "Python, threads in 2 processes", "~10,000 msgs/s: no more than 1 process"),
            Runtime.backend("nio", List.of("--processes", "2"), "Java, 2 processes of one loop that sleeps itself", "~1,000 msgs/s: 2 loops"))),

    PROCESSES("processes", "Processes vs threads for the same server",
            "For CPU-bound work, Java reactors in one process (--threads 2) use both cores as two processes do: "
                    + "the JVM has no GIL. Python threads in one process stay on one core; two processes use both. "
                    + "For IO-bound work a second process adds nothing where threads already overlap the waits (io's --processes rows).",
            "cpu:1ms", 50, ChapterExperiment::cpuBound, List.of(
            Runtime.backend("nio", List.of("--threads", "2"), "Java, 2 reactor threads in 1 process", "2 cores"),
            Runtime.backend("nio", List.of("--processes", "2"), "Java, 2 processes of 1 reactor", "2 cores"),
            Runtime.peer("py-threads", "Python, threads in 1 process", "1 core: the GIL"),
            Runtime.peer("py-threads", List.of("--processes", "2"), "Python, threads in 2 processes", "2 cores"))),

    LOCKS("locks", "Locks: one counter every connection updates",
            "Every connection adds its messages to one shared count (bin/server --tally, the Python threads' --tally). "
                    + "Without a lock, two threads that read the count at once both write their sum and one update is lost; "
                    + "that takes two threads running at the same instant (two cores) or a preemption between the read and the write "
                    + "(rare on one core). A monitor, a ReentrantLock, an AtomicLong or a LongAdder lose nothing; the table says "
                    + "what each costs per message. Lost = echoes the load generator verified - the server's count.",
            "none", 50, cpus -> 60_000, List.of(
            Runtime.backend("blocking", List.of("--tally", "unsafe"), "Java threads, no lock", "updates lost"),
            Runtime.backend("blocking", List.of("--tally", "unsafe"), "Java threads, no lock, one core", "few or none lost").onOneCore(),
            Runtime.backend("blocking", List.of("--tally", "synchronized"), "Java threads, a monitor", "0 lost"),
            Runtime.backend("blocking", List.of("--tally", "lock"), "Java threads, a ReentrantLock", "0 lost"),
            Runtime.backend("blocking", List.of("--tally", "atomic"), "Java threads, an AtomicLong", "0 lost"),
            Runtime.backend("blocking", List.of("--tally", "adder"), "Java threads, a LongAdder", "0 lost"),
            Runtime.peer("py-threads", List.of("--tally", "unsafe"), "Python threads, no lock (the GIL switches rarely in between)", "few or none lost"),
            Runtime.peer("py-threads", List.of("--tally", "lock"), "Python threads, threading.Lock", "0 lost"))),

    DEADLOCK("deadlock", "Two locks taken in opposite orders: a deadlock",
            "Odd connections take lock A then lock B, even ones B then A, with the 50 ms of work in between (bin/server --tally deadlock): "
                    + "the first two connections each hold one lock and wait for the other for good, and every other connection "
                    + "queues behind them. The JVM finds the cycle (ThreadMXBean.findDeadlockedThreads) and the server names the "
                    + "threads and the locks; SIGTERM still stops it, after its drain. The same load with one lock is the control.",
            "io:50ms", 4, cpus -> 200, List.of(
            Runtime.backend("blocking", List.of("--tally", "lock", "--drain-timeout", "1s"), "Java threads, one lock", "every connection served, one at a time: ~20 msgs/s"),
            Runtime.backend("blocking", List.of("--tally", "deadlock", "--drain-timeout", "1s"), "Java threads, two locks in opposite orders",
                    "no reply after the first messages; reported; stops on SIGTERM"))),

    TICKETS("tickets", "The chapter's ticket sale: a wait between reading the count and writing it",
            "The chapter's race: read the count, wait (its time.sleep; here --work io:1ms), write the count plus one. "
                    + "Without a lock every update that overlaps another's wait is lost, on one core as on two and in greenlets "
                    + "as in threads; with the lock held across the wait nothing is lost, and the connections take turns: "
                    + "about 1,000 msgs/s for the whole server. An atomic add after the wait needs no lock around it.",
            "io:1ms", 20, cpus -> 15_000, List.of(
            Runtime.backend("blocking", List.of("--tally", "unsafe"), "Java threads, no lock", "most updates lost"),
            Runtime.backend("blocking", List.of("--tally", "lock"), "Java threads, the lock held across the wait", "0 lost, ~1,000 msgs/s"),
            Runtime.backend("blocking", List.of("--tally", "atomic"), "Java threads, an atomic add after the wait", "0 lost"),
            Runtime.peer("py-threads", List.of("--tally", "unsafe"), "Python threads, no lock", "most updates lost"),
            Runtime.peer("py-threads", List.of("--tally", "lock"), "Python threads, threading.Lock across the wait", "0 lost, ~1,000 msgs/s"),
            Runtime.peer("gevent", List.of("--tally", "unsafe"), "Python greenlets, no lock: one thread races too", "most updates lost"))),

    SELECT("select", "select and poll scan every descriptor; epoll does not",
            "A few busy connections among many idle ones: select and poll hand the kernel every descriptor on every call "
                    + "and scan them all again for the ready ones, so the CPU per message grows with the idle connections; "
                    + "epoll keeps the interest list in the kernel and returns only the ready ones. select cannot watch a "
                    + "descriptor past FD_SETSIZE (1,024): c-select refuses such connections, one line each second.",
            "none", 5, cpus -> 20_000, List.of(
            Runtime.peer("c-select", "C, select(2), one thread", "flat"),
            Runtime.peer("c-select", "C, select(2), one thread", "grows with the idle").withIdle(900),
            Runtime.peer("c-poll", "C, poll(2), one thread", "flat"),
            Runtime.peer("c-poll", "C, poll(2), one thread", "grows with the idle").withIdle(900),
            Runtime.peer("c-poll", "C, poll(2), one thread", "grows with the idle").withIdle(5_000),
            Runtime.peer("c-epoll", "C, epoll(7), one thread", "flat"),
            Runtime.peer("c-epoll", "C, epoll(7), one thread", "flat").withIdle(900),
            Runtime.peer("c-epoll", "C, epoll(7), one thread", "flat").withIdle(5_000),
            Runtime.backend("nio", "Java, a Selector (epoll)", "flat").withIdle(5_000),
            Runtime.peer("c-select", "C, select(2): past FD_SETSIZE", "refused past 1,024 descriptors").withIdle(5_000))),

    AS_PRINTED("as-printed", "The chapter's gevent server, as printed and fixed",
            "The printed server does not start (the port bound twice; tabs among spaces) and is not an echo (it appends "
                    + "'hello baby!'); gevent-chapter is it with only those lines fixed. As printed it calls talk(conn) instead "
                    + "of spawning it: one client at a time, the others starved (--as-printed-serial). Without "
                    + "monkey.patch_all() the --work io:2ms sleep blocks the one thread and every connection waits in turn "
                    + "(--no-monkey-patch). The lab's gevent peer is the same model written for the lab.",
            "io:2ms", 20, cpus -> 12_000, List.of(
            Runtime.peer("gevent", "the lab's gevent peer", "~10,000 msgs/s"),
            Runtime.peer("gevent-chapter", "the chapter's server, fixed to start and to echo", "~10,000 msgs/s"),
            Runtime.peer("gevent-chapter", List.of("--no-monkey-patch"), "... without monkey.patch_all()", "~500 msgs/s: one sleep at a time"),
            Runtime.peer("gevent-chapter", List.of("--as-printed-serial"), "... calling talk(conn) as printed", "one connection served"))),

    STREAM("stream", "A read is not a message: TCP is a byte stream",
            "The chapter's server reads with recv(1024) and takes what comes back as one message. With one message in flight "
                    + "per connection each read does bring one line, which hides the mistake; with 16 in flight (bin/loadgen "
                    + "--pipeline 16, closed loop: each connection sends 16 lines at once) one read brings several lines, or part "
                    + "of one. The kernel bill counts the reads per message; "
                    + "every echo is still right because an echo sends back the bytes it read, whatever they hold.",
            "none", 10, cpus -> 0, 16, List.of(
            Runtime.peer("c-epoll", "C, epoll, a 64 KiB read per readable socket", "fewer reads than messages"),
            Runtime.backend("nio", "Java, a Selector, a 64 KiB read per readable socket", "fewer reads than messages"),
            Runtime.peer("py-threads", "Python threads, recv(16 KiB) per wake-up", "fewer reads than messages"),
            Runtime.peer("gevent-chapter", "the chapter's server: recv(1024) taken as one message", "fewer reads than messages"))),

    POOLS("pools", "Why pools exist: what making a thread or a process per connection costs",
            "Each message on a new connection (bin/loadgen --reconnect-every 1): a server that makes a platform thread, "
                    + "a process (fork) or a greenlet per connection pays for it on every message, a pool or an event loop "
                    + "does not. Server CPU per message is the cost of one connection here.",
            "none", 20, cpus -> 2_000, List.of("--reconnect-every", "1"), List.of(
            Runtime.backend("blocking", "Java, a platform thread made per connection", "a thread's start and end each time"),
            Runtime.backend("pool", "Java, the same loop on a pool of 200 threads", "no thread made"),
            Runtime.backend("virtual", "Java, a virtual thread per connection", "cheap to make"),
            Runtime.backend("nio", "Java, one selector loop", "no thread made"),
            Runtime.peer("c-threads", "C, a thread per connection", "a thread's start and end each time"),
            Runtime.peer("c-fork", "C, a process per connection (fork)", "a process each time"),
            Runtime.peer("py-threads", "Python, a thread per connection", "a thread's start and end each time"),
            Runtime.peer("py-fork", "Python, a process per connection (multiprocessing)", "a process each time: the dearest"),
            Runtime.peer("gevent", "Python, a greenlet per connection", "cheap to make"))),

    SWITCH("switch", "One switch in each runtime: coroutines against threads",
            "A coroutine switch (a greenlet, a goroutine on one thread, a virtual thread on one carrier) saves and restores "
                    + "a stack in user space; a thread hand-off goes through the kernel (a futex wake-up and a context switch), "
                    + "and in Python also through the GIL. Timed as a ping-pong between two tasks, per switch.",
            "none", 0, cpus -> 0, List.of());

    /** A load of runtimes (a table of rows), or the switch-cost timings. */
    enum Kind { LOAD, SWITCH }

    /** 1.5 times what every core spinning 1 ms per message can serve. */
    private static int cpuBound(int cpus) {
        return cpus * 1_500;
    }

    final String id;
    final String title;
    final String proves;
    final String work;
    final int connections;
    private final java.util.function.IntUnaryOperator rate;
    /** Load generator options of every row (e.g. {@code --reconnect-every 1}). */
    final List<String> loadgenArgs;
    /** Messages in flight per connection (the load generator's --pipeline). */
    final int pipeline;
    final List<Runtime> runtimes;

    ChapterExperiment(String id, String title, String proves, String work, int connections,
                      java.util.function.IntUnaryOperator rate, List<Runtime> runtimes) {
        this(id, title, proves, work, connections, rate, List.of(), 1, runtimes);
    }

    ChapterExperiment(String id, String title, String proves, String work, int connections,
                      java.util.function.IntUnaryOperator rate, List<String> loadgenArgs, List<Runtime> runtimes) {
        this(id, title, proves, work, connections, rate, loadgenArgs, 1, runtimes);
    }

    ChapterExperiment(String id, String title, String proves, String work, int connections,
                      java.util.function.IntUnaryOperator rate, int pipeline, List<Runtime> runtimes) {
        this(id, title, proves, work, connections, rate, List.of(), pipeline, runtimes);
    }

    ChapterExperiment(String id, String title, String proves, String work, int connections,
                      java.util.function.IntUnaryOperator rate, List<String> loadgenArgs, int pipeline, List<Runtime> runtimes) {
        this.id = id;
        this.title = title;
        this.proves = proves;
        this.work = work;
        this.connections = connections;
        this.rate = rate;
        this.loadgenArgs = loadgenArgs;
        this.pipeline = pipeline;
        this.runtimes = runtimes;
    }

    /** The open loop's rate on a machine with {@code cpus} CPUs. */
    int rate(int cpus) {
        return rate.applyAsInt(cpus);
    }

    Kind kind() {
        return this == SWITCH ? Kind.SWITCH : Kind.LOAD;
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
    record Runtime(String id, List<String> options, boolean peer, String model, String expected, boolean oneCore, int idle) {

        static Runtime backend(String id, String model, String expected) {
            return new Runtime(id, List.of(), false, model, expected, false, 0);
        }

        static Runtime backend(String id, List<String> options, String model, String expected) {
            return new Runtime(id, options, false, model, expected, false, 0);
        }

        static Runtime peer(String id, String model, String expected) {
            return new Runtime(id, List.of(), true, model, expected, false, 0);
        }

        static Runtime peer(String id, List<String> options, String model, String expected) {
            return new Runtime(id, options, true, model, expected, false, 0);
        }

        /** The server pinned to one CPU ({@code taskset -c 0}): one core for all its threads. */
        Runtime onOneCore() {
            return new Runtime(id, options, peer, model, expected, true, idle);
        }

        /** With {@code n} idle connections held open beside the load. */
        Runtime withIdle(int n) {
            return new Runtime(id, options, peer, model, expected, oneCore, n);
        }

        /** What the chapter expects of it on a machine with {@code cpus} CPUs. */
        String expected(int cpus) {
            return expected.replace("{cores}", String.valueOf(cpus));
        }

        /** {@code nio --offload 2}, {@code blocking --tally unsafe (1 core)}, {@code c-poll + 900 idle}: as a table row names it. */
        String label() {
            return (options.isEmpty() ? id : id + " " + String.join(" ", options)) + (oneCore ? " (1 core)" : "")
                    + (idle > 0 ? String.format(" + %,d idle", idle) : "");
        }
    }
}
