#!/usr/bin/python3
"""py-fork: blocking IO, one process per connection, in Python: the chapter's multiprocessing model
(multiprocessing.Process, as the chapter starts its processes) applied to a server.

How it works:
 1. the parent blocks in accept();
 2. each connection gets multiprocessing.Process(target=child, args=(conn, ...)).start(). With the
    "fork" start method that is os.fork(): the child is a copy of the parent and already holds the
    connection. ("spawn" and "forkserver" start a fresh interpreter instead, which would need the
    socket sent over to it, and an import of everything, for every connection.) The child runs
    peer.blocking_echo (recv, --work once, sendall) until the client's half-close and exits; the
    parent closes its copy of the connection and goes back to accept();
 3. a child that has exited stays a zombie until its parent waits for it: on SIGCHLD the parent
    calls multiprocessing.active_children(), which joins every child that has ended;
 4. SIGTERM or SIGINT to the parent: terminate() every child, join them all, exit 0. Each child
    also asked the kernel (PR_SET_PDEATHSIG) for SIGTERM should the parent die without doing so
    (SIGKILL). No child outlives the server.

Threads: one per process; 1 + one process per open connection, each with its own interpreter and
  so its own GIL: --work cpu:D uses every core, unlike py_threads.py.
Costs: a fork of a whole Python process (page tables; then copy-on-write faults as the child
  touches memory, reference counts included), its exit and a wait, per connection: why pools
  exist; a process per open connection, idle or not.
Compare with: c-fork.c (the same in C), py_threads.py (a thread per connection, one GIL),
  `--processes N` of the other Python peers (N processes made once: a pool of processes).
Try it: /usr/bin/python3 peers/python/py_fork.py --port 8080
        bin/loadgen --connections 500
"""
import ctypes
import multiprocessing
import os
import signal

import peer

FORK = multiprocessing.get_context("fork")
PR_SET_PDEATHSIG = 1


def child(server, conn, kind, seconds, parent):
    peer.exit_on_signals()  # the parent's handlers are not the child's
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)
    server.close()  # the parent's listening socket: not ours to hold open
    peer.blocking_echo(conn, kind, seconds)


def reap(*_):
    multiprocessing.active_children()  # joins every child that has ended


def stop(*_):
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # no reaping beside ours
    children = multiprocessing.active_children()
    for p in children:
        p.terminate()  # SIGTERM
    for p in children:
        p.join()
    os._exit(0)


def run(server, kind, seconds):
    signal.signal(signal.SIGCHLD, reap)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    parent = os.getpid()

    def start(conn):
        try:
            FORK.Process(target=child, args=(server, conn, kind, seconds, parent), daemon=False).start()
        except OSError:
            pass  # out of processes or memory: the client is told by the close below
        conn.close()  # the child has its own copy

    peer.accept_loop(server, start)


if __name__ == "__main__":
    peer.serve("py-fork", "processes=per-connection", run, tally=False)  # no count shared across processes
