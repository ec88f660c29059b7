/*
 * c-poll: IO multiplexing with poll(2), one thread: the chapter's second multiplexer, between
 * select (c-select.c) and epoll (c-epoll.c). The same loop as c-epoll; only the waiting differs.
 *
 * How it works:
 *  1. an array of struct pollfd, one entry per descriptor (the listener first, then every
 *     connection), each saying what it waits for: POLLIN, or POLLOUT while a reply is pending;
 *  2. each poll() hands the whole array to the kernel, which copies it in, asks every socket in
 *     it whether it is ready (and, when none is, hangs the thread on every socket's wait queue,
 *     to take it off them all again on wake-up), and writes the answers into revents;
 *  3. the loop then scans the array for the entries with revents set (stopping once it has found
 *     as many as poll counted), gives each ready connection one conn_step() (loop.h: read once,
 *     --work once, write back), and a ready listener is accepted until EAGAIN;
 *  4. a closed connection's entry is replaced by the array's last one.
 *
 * Unlike select there is no limit on the descriptors' numbers (the array holds any), only the
 * process's open-file limit; unlike epoll the kernel keeps nothing between calls.
 * Threads: one, which blocks in poll, and in --work io:D (every other connection waits too).
 * Costs: per poll call, work for every connection, ready or not: with 50 busy connections among
 *   5,000 idle ones, each call walks 5,050 sockets to find the few that are ready.
 * Compare with: c-epoll.c (the kernel keeps the set; a call costs only the ready ones),
 *   c-select.c (the same walk, through bitmaps rebuilt for every call, and a limit of 1,024).
 * Try it: gcc -O2 -o /tmp/c-poll peers/c-poll.c && /tmp/c-poll --port 8080
 *         bin/loadgen --connections 500
 */
#include "loop.h"
#include <poll.h>

static struct pollfd *fds; /* fds[0] is the listener; fds[i] is conns[i]'s socket */
static struct conn **conns;
static size_t n, cap;

static int add(int fd, struct conn *c) {
    if (n == cap) {
        size_t more = cap ? 2 * cap : 64;
        struct pollfd *f = realloc(fds, more * sizeof *f);
        if (f) fds = f;
        struct conn **cs = realloc(conns, more * sizeof *cs);
        if (cs) conns = cs;
        if (!f || !cs) return -1;
        cap = more;
    }
    fds[n] = (struct pollfd) {.fd = fd, .events = POLLIN};
    conns[n++] = c;
    return 0;
}

/* Accepts until EAGAIN; 1 when out of descriptors (the caller pauses the listener). */
static int accept_all(int lfd) {
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) return errno == EMFILE || errno == ENFILE;
        peer_nodelay(fd);
        struct conn *c = conn_new(fd);
        if (!c || add(fd, c)) {
            free(c);
            close(fd); /* out of memory: the client is told by a close */
        } else {
            c->writing = 0;
        }
    }
}

int main(int argc, char **argv) {
    struct peer_options o = peer_options("c-poll", argc, argv);
    int lfd = peer_listen(&o, SOCK_NONBLOCK, "threads=1");
    long long paused_until = 0;
    if (add(lfd, NULL)) return 1;
    for (;;) {
        int ready = poll(fds, n, paused_until ? 100 : -1);
        if (paused_until && peer_now_ns() >= paused_until) {
            paused_until = 0;
            fds[0].fd = lfd; /* a negative fd is skipped by poll: that was the pause */
        }
        /* Backwards, so that the last entry, moved into a closed one's place, was already seen. */
        for (size_t i = n - 1; i > 0 && ready > 0; i--) {
            if (!fds[i].revents) continue;
            ready--;
            struct conn *c = conns[i];
            int writing = conn_step(c, &o);
            if (writing < 0) {
                close(c->fd);
                free(c);
                fds[i] = fds[--n];
                conns[i] = conns[n];
            } else {
                c->writing = writing;
                fds[i].events = writing ? POLLOUT : POLLIN;
            }
        }
        if (fds[0].revents && accept_all(lfd)) {
            peer_out_of_descriptors("c-poll");
            fds[0].fd = -1;
            paused_until = peer_now_ns() + 100000000LL;
        }
    }
}
