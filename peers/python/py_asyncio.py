#!/usr/bin/python3
"""py-asyncio: IO multiplexing in Python, one thread: an asyncio event loop (epoll underneath).

How it works:
 1. asyncio.start_server puts the listening socket in the loop's selector (epoll);
 2. each accepted connection gets a coroutine, echo(), with a stream reader and writer;
 3. `await reader.read()` hands control back to the loop until the socket is readable; the loop
    runs whichever coroutine's socket is ready, one at a time;
 4. `await writer.drain()` waits while the kernel's send buffer is full: a client that does not
    read stops being read (backpressure);
 5. read returns b"" at the client's half-close: everything was sent back; close.

Threads: one. --work io:D is `await asyncio.sleep`: the coroutine waits and the loop serves the
  others. The wrong way beside it: time.sleep there would stall every connection, as a blocking call
  does in any event loop (Java's nio without --offload, c-epoll.c). --work cpu:D stalls them all,
  on one core (one thread, one GIL); --processes N for more.
Costs: a coroutine, a transport and two stream objects per connection, and a trip through the
  loop's Python code for every message.
Compare with: c-epoll.c (the same loop in C), the `nio` backend, py_gevent.py (the same overlap
  with implicit yields).
Try it: /usr/bin/python3 peers/python/py_asyncio.py --port 8080
        bin/loadgen --connections 500
"""
import asyncio
import socket

import peer


async def echo(reader, writer, kind, seconds):
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while data := await reader.read(16384):
            if kind == "io":
                await asyncio.sleep(seconds)
            elif kind == "cpu":
                peer.spin(seconds)
            writer.write(data)
            await writer.drain()
    except OSError:
        pass  # a reset ends this connection only
    finally:
        writer.close()


async def serve(server, kind, seconds):
    s = await asyncio.start_server(lambda r, w: echo(r, w, kind, seconds), sock=server)
    await s.serve_forever()


def run(server, kind, seconds):
    asyncio.run(serve(server, kind, seconds))


if __name__ == "__main__":
    peer.serve("py-asyncio", "threads=1", run)
