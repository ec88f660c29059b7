"""What the Python peers share, so that each peer's file is only its model.

The command line every peer takes (the words of bin/server): --host H (default 127.0.0.1),
--port P (0: any free port), --work none|io:D|cpu:D, --processes N; the simulated work; the
listening socket (SO_REUSEADDR, backlog 4096, as echolab's Sockets binds it), the accept loop and
the blocking echo loop py_threads and py_gevent both run; the one ready line
the lab waits for, "listening on HOST:PORT backend=ID ..."; exit 0 on SIGTERM and SIGINT; bad
usage one line on stderr and exit 2.

--tally none|unsafe|lock (the chapter's lesson on locks): one counter every connection updates with
the messages (lines) each recv brought, in the shape of the chapter's ticket sale: read the count,
do the --work, write the count plus the new messages back. Without the lock, a thread (or greenlet)
that reads the count while another one waits in its work writes over that one's update: a lost
update. The count is printed when the server stops, "tally mode=M counted=N", as bin/server
--tally prints it, so the lab can hold it against the echoes its load generator verified.

--processes N (the chapter's multiprocessing experiment): N forked processes, each with its own
listening socket on the same port (SO_REUSEPORT: the kernel spreads new connections over them)
and its own interpreter, so its own GIL. The parent only forks, prints the ready line, and passes
SIGTERM on; each child dies with it (PR_SET_PDEATHSIG).
"""
import argparse
import ctypes
import errno
import os
import re
import signal
import socket
import sys
import threading
import time

UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h)")
BACKLOG = 4096
USAGE = "[--host H] [--port P] [--work none|io:D|cpu:D] [--processes N] [--tally none|unsafe|lock]"


def work_spec(text):
    """--work as bin/server reads it: ('none', 0.0), ('io', seconds) or ('cpu', seconds)."""
    s = text.strip().lower()
    if s == "none":
        return "none", 0.0
    kind, _, d = s.partition(":")
    m = DURATION.fullmatch(d)
    if kind in ("io", "cpu") and (m or d in ("0", "off")):
        return kind, float(m.group(1)) * UNITS[m.group(2)] if m else 0.0
    raise argparse.ArgumentTypeError(
        f"'{text}' is not a work spec (none, io:DURATION or cpu:DURATION, e.g. io:5ms, cpu:500us)")


def spin(seconds):
    """--work cpu: burn the CPU for that long, holding the GIL as any Python code does."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def work(kind, seconds):
    """One unit of --work on the calling thread: io sleeps (under gevent's patch: the greenlet), cpu spins."""
    if kind == "io":
        time.sleep(seconds)  # looked up at each call, so gevent's monkey patch applies
    elif kind == "cpu":
        spin(seconds)


class Tally:
    """--tally: the shared counter; see the module's comment."""

    def __init__(self, mode):
        self.mode = mode
        self.count = 0
        self.lock = threading.Lock()  # under gevent's monkey patch: a gevent lock

    def around(self, data, kind, seconds):
        """One recv's --work, and its messages added to the count as the mode does."""
        if self.mode == "none":
            work(kind, seconds)
        elif self.mode == "lock":
            with self.lock:
                seen = self.count
                work(kind, seconds)
                self.count = seen + data.count(b"\n")
        else:
            seen = self.count
            work(kind, seconds)
            self.count = seen + data.count(b"\n")

    def line(self):
        return f"tally mode={self.mode} counted={self.count}"


TALLY = Tally("none")


def blocking_echo(conn, kind, seconds):
    """The blocking echo loop: recv, --work once, sendall; b"" at the client's half-close ends it.
    py_threads runs it on OS threads, py_gevent on greenlets: the same code, two ways of waiting."""
    with conn:
        try:
            while data := conn.recv(16384):
                TALLY.around(data, kind, seconds)
                conn.sendall(data)
        except OSError:
            pass  # a reset ends this connection only


def accept_loop(server, start):
    """Accepts forever and calls start(conn) for each connection."""
    while True:
        try:
            conn, _ = server.accept()
        except OSError:
            time.sleep(0.1)  # out of descriptors: back off, keep serving
            continue
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # an echo must not wait for more bytes
        start(conn)


class _OneLineParser(argparse.ArgumentParser):
    usage_line = USAGE

    def error(self, message):
        print(f"{self.prog}: {message} (usage: {self.prog} {self.usage_line})", file=sys.stderr)
        sys.exit(2)


def _number(low, high, what):
    def parse(text):
        if not text.isdigit() or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(f"'{text}' is not {what}")
        return int(text)
    return parse


def options(peer_id, argv=None, flags=(), processes=True, tally=True):
    """The command line; `flags` are a peer's own on/off options (gevent_chapter's), each an
    attribute; processes=False or tally=False for a peer without --processes or --tally."""
    p = _OneLineParser(prog=peer_id, add_help=False)
    p.usage_line = " ".join(["[--host H] [--port P] [--work none|io:D|cpu:D]", *(["[--processes N]"] if processes else []),
                             *(["[--tally none|unsafe|lock]"] if tally else []), *(f"[{f}]" for f in flags)])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_number(0, 65535, "a port from 0 to 65535"), default=0)
    p.add_argument("--work", default="none")
    p.set_defaults(processes=1, tally="none")
    if processes:
        p.add_argument("--processes", type=_number(1, 1024, "a number of processes (1 or more)"))
    if tally:
        p.add_argument("--tally", choices=("none", "unsafe", "lock"))
    for f in flags:
        p.add_argument(f, action="store_true")
    o = p.parse_args(argv)
    if o.tally != "none" and o.processes > 1:
        p.error("argument --tally: one count per process: it goes with --processes 1 only")
    try:
        o.kind, o.seconds = work_spec(o.work)
    except argparse.ArgumentTypeError as e:
        p.error(f"argument --work: {e}")
    return o


def listen(o, port, reuse_port=False, listening=True):
    """The listening socket; one line and exit 1 if the port is taken."""
    family = socket.AF_INET6 if ":" in o.host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        s.bind((o.host, port))
        if listening:
            s.listen(BACKLOG)
    except OSError as e:
        print(f"port {port} is already in use" if e.errno == errno.EADDRINUSE
              else f"cannot listen on {o.host}:{port}: {e.strerror}", file=sys.stderr)
        sys.exit(1)
    return s


def _exit_now(*_):
    if TALLY.mode != "none":
        print(TALLY.line(), flush=True)
    os._exit(0)  # the kernel closes every socket; nothing of ours needs flushing


def exit_on_signals():
    """SIGTERM and SIGINT: exit 0 at once."""
    signal.signal(signal.SIGTERM, _exit_now)
    signal.signal(signal.SIGINT, _exit_now)


def serve(peer_id, details, run, tally=True):
    """Parses the command line, binds, prints the ready line and calls run(listening_socket, kind, seconds);
    tally=False for a peer without --tally."""
    o = options(peer_id, tally=tally)
    TALLY.mode = o.tally
    exit_on_signals()
    if o.processes == 1:
        s = listen(o, o.port)
        ready(o, peer_id, s.getsockname()[1], details)
        run(s, o.kind, o.seconds)
        return
    # First without SO_REUSEPORT, so that a port someone else shares through it is refused too;
    # then bound but not listening: it holds the port (for --port 0) and takes no connections.
    probe = listen(o, o.port, listening=False)
    port = probe.getsockname()[1]
    probe.close()
    holder = listen(o, port, reuse_port=True, listening=False)
    children = [_fork(o, port, run, holder) for _ in range(o.processes)]
    holder.close()
    ready(o, peer_id, port, f"{details} processes={o.processes}")
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    for pid in children:
        os.kill(pid, signal.SIGTERM)
    for pid in children:
        os.waitpid(pid, 0)
    sys.exit(0)


def _fork(o, port, run, holder):
    parent = os.getpid()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        holder.close()  # the parent's; the child binds its own
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: die with the parent
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(0)
        s = listen(o, port, reuse_port=True)
        os.write(w, b"+")
        os.close(w)
        run(s, o.kind, o.seconds)
        os._exit(0)
    os.close(w)
    if os.read(r, 1) != b"+":  # the child said why on stderr and exited
        sys.exit(1)
    os.close(r)
    return pid


def ready(o, peer_id, port, details):
    """The ready line, once the port is bound."""
    print(f"listening on {o.host}:{port} backend={peer_id} {details} work={o.work}", flush=True)
