#!/usr/bin/python3
"""py-threads: blocking IO, one thread per connection, in Python: the chapter's threading model.

How it works:
 1. the main thread blocks in accept();
 2. each connection gets a daemon threading.Thread running peer.blocking_echo;
 3. that loops: recv, --work once (time.sleep or a spin), sendall of all it received;
 4. recv returns b"" at the client's half-close: everything was sent back; close, the thread ends.

Threads: 1 + one per open connection, in one interpreter, where only the thread that holds the GIL
  runs Python code. recv, sendall and time.sleep (--work io:D) release it, so waiting overlaps and
  IO-bound work scales with threads; the spin of --work cpu:D holds it, so the threads take turns
  on one core however many the machine has: the GIL experiment. --processes N runs N interpreters
  (N GILs) on the same port: the chapter's answer for CPU-bound work.
Costs: an OS thread per connection (256 KiB stacks here instead of the default 8 MiB), and the
  GIL handed from thread to thread for every message.
Compare with: c-threads.c (the same code without a GIL), the `blocking` backend, py_gevent.py
  (the same code on greenlets), py_asyncio.py (one thread, a loop).
Try it: /usr/bin/python3 peers/python/py_threads.py --port 8080 [--processes 2]
        bin/loadgen --connections 500
"""
import threading

import peer


def run(server, kind, seconds):
    threading.stack_size(256 * 1024)
    peer.accept_loop(server, lambda conn: threading.Thread(
        target=peer.blocking_echo, args=(conn, kind, seconds), daemon=True).start())


if __name__ == "__main__":
    peer.serve("py-threads", "threads=per-connection", run)
