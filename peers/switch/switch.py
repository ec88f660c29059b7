"""One switch in each of Python's ways to wait, timed: the chapter says a coroutine switch is cheaper
than a thread switch; this measures by how much, and what a greenlet pays when it waits through
gevent's hub, as a gevent server does on every recv.

Each measurement is a ping-pong between two tasks: A hands the turn to B and waits, B hands it back
and waits, ROUNDS times; one switch is the elapsed time over 2 x ROUNDS.

  greenlet    greenlet.switch() between two greenlets: the bare coroutine switch (saves and restores
              a C stack slice and the interpreter's frame); no hub, no event loop, no system call
  gevent      two greenlets hand off through gevent.lock.Semaphore: release() schedules the waiter
              on the hub, acquire() switches into the hub and the hub switches to the other greenlet:
              what a greenlet pays per wait in a gevent server (two greenlet switches and a hub turn)
  thread      two OS threads hand off through two threading.Lock (binary semaphores): release() wakes
              the other thread in the kernel (futex), which must also take the GIL back

Prints one JSON object per line: {"runtime": "python", "kind": ..., "cores": N, "ns_per_switch": ...}.
Usage: /usr/bin/python3 peers/switch/switch.py [--rounds N]   (gevent's kind needs python3-gevent)
"""
import json
import os
import sys
import threading
import time


def timed(kind, rounds, run, cores=1):
    run(min(rounds, 1000))  # warm: imports, first allocations
    start = time.perf_counter_ns()
    run(rounds)
    elapsed = time.perf_counter_ns() - start
    print(json.dumps({"runtime": "python", "kind": kind, "cores": cores, "rounds": rounds,
                      "ns_per_switch": round(elapsed / (2 * rounds), 1)}), flush=True)


def greenlets(rounds):
    from greenlet import greenlet

    def pong():
        while True:
            ping_g.switch()

    def ping():
        for _ in range(rounds):
            pong_g.switch()

    ping_g = greenlet(ping)
    pong_g = greenlet(pong)
    ping_g.switch()


def gevent_hub(rounds):
    import gevent
    from gevent.lock import Semaphore
    mine, theirs = Semaphore(0), Semaphore(0)

    def pong():
        for _ in range(rounds):
            mine.acquire()
            theirs.release()

    g = gevent.spawn(pong)
    for _ in range(rounds):
        mine.release()
        theirs.acquire()
    g.join()


def threads(rounds):
    mine, theirs = threading.Lock(), threading.Lock()
    mine.acquire()
    theirs.acquire()

    def pong():
        for _ in range(rounds):
            mine.acquire()
            theirs.release()

    t = threading.Thread(target=pong)
    t.start()
    for _ in range(rounds):
        mine.release()
        theirs.acquire()
    t.join()


def main(argv):
    rounds = 200_000
    if argv[:1] == ["--rounds"] and len(argv) == 2 and argv[1].isdigit() and int(argv[1]) > 0:
        rounds = int(argv[1])
    elif argv:
        print("switch.py: --rounds takes a whole number above 0 (usage: switch.py [--rounds N])", file=sys.stderr)
        return 2
    try:
        import greenlet  # noqa: F401 (gevent brings it)
        timed("greenlet", rounds, greenlets)
        timed("gevent", rounds, gevent_hub)
    except ImportError:
        print("gevent not installed (apt-get install python3-gevent): greenlet and gevent skipped", file=sys.stderr)
    # ~100x slower per switch: fewer rounds, the same time. The OS may run the two on any core; the
    # GIL lets one of them run Python code at a time.
    timed("thread", max(rounds // 10, 1), threads, cores=len(os.sched_getaffinity(0)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
