/*
 * loop.h: one connection of a one-thread event loop, shared by c-epoll, c-poll and c-select so
 * that each of them is only how it waits (epoll_wait, poll, select), the chapter's point.
 *
 * A connection is a non-blocking socket and a 64 KiB buffer. When the loop finds it ready,
 * conn_step() reads once into the buffer, pays --work once and writes the bytes straight back;
 * what the kernel does not take stays in the buffer, and the connection then waits to be
 * writable instead of readable:
 *
 *     readable --(short write)--> writable --(drained)--> readable
 *
 * Never both at once: a client that stops reading stops being read (at most 64 KiB held for it).
 * read returns 0 (the client's half-close) only when the buffer is empty, i.e. everything it
 * sent is back: close.
 */
#include "peer.h"

#define CONN_BUF (64 * 1024)

struct conn {
    int fd;
    size_t off, len; /* buf[off..len) is read but not yet written back */
    int writing;     /* waiting to be writable rather than readable; -1 before the loop first watches it */
    char buf[CONN_BUF];
};

static struct conn *conn_new(int fd) {
    struct conn *c = malloc(sizeof *c);
    if (!c) return NULL;
    c->fd = fd;
    c->off = c->len = 0;
    c->writing = -1;
    return c;
}

/* Writes what is pending until done or the kernel's buffer is full; -1 if the connection broke. */
static int conn_flush(struct conn *c) {
    while (c->off < c->len) {
        ssize_t n = write(c->fd, c->buf + c->off, c->len - c->off);
        if (n < 0) return errno == EAGAIN ? 0 : -1;
        c->off += (size_t) n;
    }
    c->off = c->len = 0;
    return 0;
}

/*
 * The connection was reported ready: 1 if it must now wait to be writable, 0 readable, -1 when it
 * is done (EOF with nothing pending, a reset, a broken write: this connection only) and the caller
 * closes it. The caller records the answer in c->writing once it has changed what it watches.
 */
static int conn_step(struct conn *c, const struct peer_options *o) {
    if (c->writing != 1) {
        ssize_t n = read(c->fd, c->buf, CONN_BUF);
        if (n < 0 && errno == EAGAIN) return 0;
        if (n <= 0) return -1;
        peer_work(o);
        c->len = (size_t) n;
    }
    if (conn_flush(c) < 0) return -1;
    return c->len > 0;
}

/* accept4 failed for want of descriptors: say so, at most once every 10 s. */
static void peer_out_of_descriptors(const char *id) {
    static long long said;
    if (!said || peer_now_ns() - said > 10000000000LL) {
        fprintf(stderr, "%s: out of file descriptors; pausing accept\n", id);
        said = peer_now_ns();
    }
}
