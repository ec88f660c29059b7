#!/usr/bin/env python3
"""idle_clients.py PORT N HOLD_SECONDS [--silent]: opens N connections to 127.0.0.1:PORT, echoes
one 16-byte message on each (so the server has fully set each one up; --silent: sends nothing, so
a server whose threads are all busy still takes every connection), prints 'ready N', then holds
them idle for HOLD_SECONDS and exits. Bounded in count and time; used by bench/heavy.sh,
bench/idle-memory.sh and bench/c100k.sh."""
import socket
import sys
import time

port, n, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
silent = sys.argv[4:] == ["--silent"]
msg = b"idle say hello!\n"
conns = []
deadline = time.time() + 120
for i in range(n):
    if time.time() > deadline:
        break
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        if not silent:
            s.sendall(msg)
            got = b""
            while len(got) < len(msg):
                chunk = s.recv(len(msg) - len(got))
                if not chunk:
                    raise OSError("closed by the server")
                got += chunk
            if got != msg:
                raise OSError("echo mismatch")
        conns.append(s)
    except OSError as e:
        print(f"connection {i}: {e}", file=sys.stderr)
        break
print(f"ready {len(conns)}", flush=True)
time.sleep(hold)
for s in conns:
    s.close()
