/*
 * c-epoll: IO multiplexing in C, one thread. The chapter's select/poll/epoll model with nothing
 * between you and the kernel: echolab's `nio` backend without the JVM, and the ceiling one core
 * reaches, which is why the lab shows it as a reference.
 *
 * How it works:
 *  1. one non-blocking listening socket in one epoll set (level-triggered);
 *  2. epoll_wait returns the sockets that are ready, and only those: the kernel keeps the set
 *     between calls, so a call costs the ready sockets, not the watched ones (c-poll.c and
 *     c-select.c hand over, and scan, every descriptor on every call);
 *  3. a ready listener is accepted until EAGAIN; a ready connection takes one conn_step()
 *     (loop.h: read once, --work once, write back), and when what it waits for changes
 *     (readable <-> writable) one epoll_ctl says so.
 *
 * Threads: one, which never blocks in read or write; it blocks in epoll_wait, and in --work io:D.
 * Costs: one 64 KiB buffer per connection; per message read + write, plus one epoll_wait per batch
 *   of ready sockets. The wrong way beside it: --work io:D sleeps in the loop and every other
 *   connection waits too (Java's nio does the same without --offload; gevent and Go do not).
 * Compare with: the `nio` backend (SelectorEchoServer), c-poll.c and c-select.c (the same loop,
 *   scanning every descriptor), c-threads.c (the same echo, a thread each), py_asyncio.py (the
 *   loop in Python).
 * Try it: gcc -O2 -o /tmp/c-epoll peers/c-epoll.c && /tmp/c-epoll --port 8080
 *         bin/loadgen --connections 500     (then bin/lab compare --peers c-epoll)
 */
#include "loop.h"
#include <sys/epoll.h>

static void interest(int ep, struct conn *c, int writing) {
    struct epoll_event e = {.events = writing ? EPOLLOUT : EPOLLIN, .data.ptr = c};
    epoll_ctl(ep, c->writing == -1 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c->fd, &e);
    c->writing = writing;
}

static void on_ready(int ep, struct conn *c, const struct peer_options *o) {
    int writing = conn_step(c, o);
    if (writing < 0) {
        close(c->fd); /* also leaves the epoll set */
        free(c);
    } else if (writing != c->writing) {
        interest(ep, c, writing);
    }
}

/* Accepts until EAGAIN. Out of descriptors: say so, and stop watching the listener for 100 ms (no busy loop). */
static int accept_all(int ep, int lfd, long long *paused_until) {
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) {
            if (errno != EMFILE && errno != ENFILE) return 0;
            peer_out_of_descriptors("c-epoll");
            epoll_ctl(ep, EPOLL_CTL_DEL, lfd, NULL);
            *paused_until = peer_now_ns() + 100000000LL;
            return 100;
        }
        peer_nodelay(fd);
        struct conn *c = conn_new(fd);
        if (!c) {
            close(fd); /* out of memory: the client is told by a close */
            continue;
        }
        interest(ep, c, 0);
    }
}

int main(int argc, char **argv) {
    struct peer_options o = peer_options("c-epoll", argc, argv);
    int lfd = peer_listen(&o, SOCK_NONBLOCK, "threads=1");
    int ep = epoll_create1(0), timeout = -1;
    long long paused_until = 0;
    struct epoll_event listener = {.events = EPOLLIN, .data.ptr = NULL}, ready[256];
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &listener);
    for (;;) {
        int n = epoll_wait(ep, ready, 256, timeout);
        if (paused_until && peer_now_ns() >= paused_until) {
            paused_until = 0;
            timeout = -1;
            epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &listener);
        }
        for (int i = 0; i < n; i++) {
            if (ready[i].data.ptr == NULL) timeout = accept_all(ep, lfd, &paused_until) ? 100 : timeout;
            else on_ready(ep, ready[i].data.ptr, &o);
        }
    }
}
