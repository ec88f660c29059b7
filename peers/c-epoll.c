/*
 * c-epoll: IO multiplexing in C, one thread. The chapter's select/poll/epoll model with nothing
 * between you and the kernel: echolab's `nio` backend without the JVM, and the ceiling one core
 * reaches, which is why the lab shows it as a reference.
 *
 * How it works:
 *  1. one non-blocking listening socket in one epoll set (level-triggered);
 *  2. epoll_wait returns the sockets that are ready; a ready listener is accepted until EAGAIN;
 *  3. a readable connection is read once into its own 64 KiB buffer, pays --work once, and the
 *     bytes are written straight back;
 *  4. what the kernel does not take stays in the buffer, and the connection then waits for
 *     EPOLLOUT instead of EPOLLIN:
 *
 *         EPOLLIN --(short write)--> EPOLLOUT --(drained)--> EPOLLIN
 *
 *     Never both at once: a client that stops reading stops being read (at most 64 KiB held for it);
 *  5. read returns 0 (the client's half-close) only when the buffer is empty, i.e. everything it
 *     sent is back: close.
 *
 * Threads: one, which never blocks in read or write; it blocks in epoll_wait, and in --work io:D.
 * Costs: one 64 KiB buffer per connection; per message read + write, plus one epoll_wait per batch
 *   of ready sockets. The wrong way beside it: --work io:D sleeps in the loop and every other
 *   connection waits too (Java's nio does the same without --offload; gevent and Go do not).
 * Compare with: the `nio` backend (SelectorEchoServer), c-threads.c (the same echo, a thread each),
 *   py_asyncio.py (the loop in Python).
 * Try it: gcc -O2 -o /tmp/c-epoll peers/c-epoll.c && /tmp/c-epoll --port 8080
 *         bin/loadgen --connections 500     (then bin/lab compare --peers c-epoll)
 */
#include "peer.h"
#include <sys/epoll.h>

#define BUF (64 * 1024)

struct conn {
    int fd;
    size_t off, len; /* buf[off..len) is read but not yet written back */
    int writing;     /* waiting for EPOLLOUT rather than EPOLLIN */
    char buf[BUF];
};

static void interest(int ep, struct conn *c, int writing) {
    struct epoll_event e = {.events = writing ? EPOLLOUT : EPOLLIN, .data.ptr = c};
    epoll_ctl(ep, c->writing == -1 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c->fd, &e);
    c->writing = writing;
}

/* Writes what is pending until done or the kernel's buffer is full; -1 if the connection broke. */
static int flush(struct conn *c) {
    while (c->off < c->len) {
        ssize_t n = write(c->fd, c->buf + c->off, c->len - c->off);
        if (n < 0) return errno == EAGAIN ? 0 : -1;
        c->off += (size_t) n;
    }
    c->off = c->len = 0;
    return 0;
}

/* Error policy in one place: a reset, EOF or broken write ends this connection only. */
static void on_ready(int ep, struct conn *c, const struct peer_options *o) {
    if (!c->writing) {
        ssize_t n = read(c->fd, c->buf, BUF);
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) goto close; /* EOF with nothing pending: all echoed */
        peer_work(o);
        c->len = (size_t) n;
    }
    if (flush(c) < 0) goto close;
    if ((c->len > 0) != c->writing) interest(ep, c, c->len > 0);
    return;
close:
    close(c->fd); /* also leaves the epoll set */
    free(c);
}

/* Accepts until EAGAIN. Out of descriptors: say so, and stop watching the listener for 100 ms (no busy loop). */
static int accept_all(int ep, int lfd, long long *paused_until) {
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) {
            if (errno != EMFILE && errno != ENFILE) return 0;
            static long long said;
            if (!said || peer_now_ns() - said > 10000000000LL) {
                fprintf(stderr, "c-epoll: out of file descriptors; pausing accept\n");
                said = peer_now_ns();
            }
            epoll_ctl(ep, EPOLL_CTL_DEL, lfd, NULL);
            *paused_until = peer_now_ns() + 100000000LL;
            return 100;
        }
        peer_nodelay(fd);
        struct conn *c = malloc(sizeof *c);
        c->fd = fd;
        c->off = c->len = 0;
        c->writing = -1;
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
