#!/usr/bin/python3
"""gevent-chapter: the chapter's gevent echo server as printed (its "协程实现TCP服务端并发" example),
with only the changes it needs to start and to echo (Debian: python3-gevent).

Each line that differs from the printed one says so: `# FIX` (the printed code fails without it;
the comment quotes the printed line and says why), or `# LAB` (what every peer has: the address
from --host/--port, the ready line, --work, exit 0 on SIGTERM). Everything else is as printed,
print(data) of every message included.

The printed code's defects, in the order a reader meets them:
 1. it does not start: the port is bound at module level and then again in servers(), and the
    second bind fails (address already in use). FIX: bound once, in servers();
 2. it does not start: two lines of servers() are indented with tabs among lines indented with
    spaces (TabError). FIX: spaces;
 3. it is not an echo: each reply is the message with b'hello baby!' appended. FIX: the message;
 4. conn.send may send only part of what it is given (it returns how much). FIX: sendall;
 5. a client's half-close is never seen: recv returns b'' and the loop sends b'' back forever,
    a busy loop on that connection that never closes it. FIX: b'' ends the loop and closes;
 6. servers() calls talk(conn) instead of spawning it, so it serves one client at a time: the
    next one is accepted only once the first has gone. FIX: spawn(talk, conn). --as-printed-serial
    keeps the printed call, so that the lab can show it.
(The printed client's defect, print(data.encode('utf8')) on the bytes it receives, is not here:
the lab's load generator is the client.)

--no-monkey-patch: the server without its first line, monkey.patch_all(). Taken out alone, the
  sockets would be the standard library's and block the one thread: accept() would hold it, the
  hub would never run, and no spawned talk() would ever start: no client answered at all. So here
  the sockets are gevent's, imported by hand (`from gevent import socket`, as gevent's docs do
  without patching), and only the rest stays unpatched: time.sleep, the --work io:D of every
  message, sleeps the thread, and every other connection waits with it, as a database driver or
  any other blocking library call would make them. patch_all() is what makes those cooperative.
Threads: one. Compare with: py_gevent.py (the same model written for the lab).
Try it: /usr/bin/python3 peers/python/gevent_chapter.py --port 8080 [--as-printed-serial] [--no-monkey-patch]
        bin/loadgen --connections 50 [--work io:2ms on the server]
"""
import socket
import peer  # LAB: the command line, --work and the ready line every Python peer shares
O = peer.options("gevent-chapter", flags=("--as-printed-serial", "--no-monkey-patch"), processes=False, tally=False)  # LAB
if O.no_monkey_patch:  # LAB: --no-monkey-patch, in place of the printed line below
    from gevent import socket  # noqa: F811  gevent's sockets by hand; time.sleep stays the standard one
else:  # LAB: the printed line, indented under this else
    from gevent import monkey;monkey.patch_all()  # noqa: E702
from gevent import spawn  # noqa: E402


# FIX: three lines removed (printed: server = socket.socket(), server.bind(('127.0.0.1', 8080)),
# server.listen()): servers() binds the port again, and that second bind failed.


def talk(conn):
    while True:
        try:
            data = conn.recv(1024)
            if not data:  # FIX (added): b'' is the client's half-close; the printed loop sent b'' back forever
                conn.close()  # FIX (added)
                break  # FIX (added)
            print(data)
            peer.work(O.kind, O.seconds)  # LAB: --work, once per message
            conn.sendall(data)  # FIX (printed: conn.send(data+b'hello baby!')): an echo, all of it
        except ConnectionResetError as e:
            print(e)
            conn.close()
            break


def servers():
    # LAB + FIX (printed: server = socket.socket(), then server.bind(('127.0.0.1', 8080)) and
    # server.listen() indented with tabs: TabError): bound by peer.listen (--host/--port, one line
    # and exit 1 if taken) and handed to this module's socket class, gevent's in both modes.
    server = socket.socket(fileno=peer.listen(O, O.port).detach())
    variant = " as-printed-serial" if O.as_printed_serial else ""  # LAB
    variant += " no-monkey-patch" if O.no_monkey_patch else ""  # LAB
    peer.ready(O, "gevent-chapter", server.getsockname()[1], "threads=1" + variant)  # LAB

    while True:
        conn, addr = server.accept()
        if O.as_printed_serial:  # LAB: --as-printed-serial
            talk(conn)  # as printed: the next client waits until this one has gone
        else:  # LAB
            spawn(talk, conn)  # FIX (printed: talk(conn)): a greenlet per client, so they run concurrently


if __name__ == '__main__':
    peer.exit_on_signals()  # LAB
    g1 = spawn(servers)
    g1.join()
