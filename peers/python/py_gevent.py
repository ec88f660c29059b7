#!/usr/bin/python3
"""gevent: the chapter's coroutine echo server, one greenlet per connection (Debian: python3-gevent).

How it works:
 1. monkey.patch_all() (before anything imports socket) makes socket, time.sleep and friends
    cooperative: where they would block, the greenlet yields to gevent's hub instead;
 2. the main greenlet accepts, and spawns a greenlet for each connection (spawned, not called:
    calling it would serve one client at a time);
 3. the greenlet runs peer.blocking_echo, the very function py_threads.py runs on OS threads:
    recv, --work once, sendall;
 4. the hub, a libev/libuv loop on epoll, resumes whichever greenlet's socket is ready.

Threads: one. --work io:D is time.sleep, patched: the greenlet parks and the others run, as
  Java's virtual threads and Go's goroutines do. --work cpu:D never yields: every connection
  waits, and one core is the most it uses (one thread, one GIL); --processes N for more.
Costs: a greenlet (a few KiB of copied stack) per connection; a hub switch per message.
Compare with: the `virtual` backend (the JVM's coroutines), go/main.go, py_threads.py (the same
  code on OS threads), py_asyncio.py (explicit await instead of patched calls).
Try it: /usr/bin/python3 peers/python/py_gevent.py --port 8080
        bin/loadgen --connections 500
"""
from gevent import monkey; monkey.patch_all()  # noqa: E702  must come before socket is imported
import gevent  # noqa: E402

import peer  # noqa: E402


def run(server, kind, seconds):
    peer.accept_loop(server, lambda conn: gevent.spawn(peer.blocking_echo, conn, kind, seconds))


if __name__ == "__main__":
    peer.serve("gevent", "threads=1", run)
