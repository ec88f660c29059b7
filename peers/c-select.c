/*
 * c-select: IO multiplexing with select(2), one thread: the chapter's first multiplexer, and the
 * oldest. The same loop as c-epoll.c; only the waiting differs.
 *
 * How it works:
 *  1. select takes two bitmaps (fd_set: bit N is descriptor N), one of the descriptors to watch
 *     for reading, one for writing, and overwrites them with its answer: so before every call
 *     the loop scans every connection to set its bit again (the listener's too);
 *  2. select hands both bitmaps to the kernel, which asks every socket whose bit is set whether
 *     it is ready (and, when none is, hangs the thread on every one's wait queue);
 *  3. after the call the loop scans the bitmaps from descriptor 0 up for the bits still set,
 *     gives each ready connection one conn_step() (loop.h: read once, --work once, write back),
 *     and then accepts from a ready listener until EAGAIN.
 *
 * The limit: an fd_set is a fixed array of FD_SETSIZE (1,024) bits, so select can watch no
 * descriptor numbered 1,024 or more. FD_SET on one writes past the array into whatever lies
 * beside it (glibc's fortified build aborts instead): memory corruption, never an error. So a
 * connection whose descriptor is past the limit is refused here, before it gets near FD_SET:
 * closed, with a line on stderr. The process's open-file limit can be far higher (it is 1,024
 * by default only for that reason).
 * Threads: one, which blocks in select, and in --work io:D (every other connection waits too).
 * Costs: per select call, work for every connection, ready or not, three times: setting its bit,
 *   the kernel asking its socket, testing its bit. 50 busy connections among 900 idle ones pay
 *   for 950 at each call.
 * Compare with: c-poll.c (no limit: an array instead of bitmaps), c-epoll.c (the kernel keeps the
 *   set; a call costs only the ready ones).
 * Try it: gcc -O2 -o /tmp/c-select peers/c-select.c && /tmp/c-select --port 8080
 *         bin/loadgen --connections 500
 */
#include "loop.h"
#include <sys/select.h>

static struct conn *conns[FD_SETSIZE]; /* by descriptor, as the bitmaps are */

/* A descriptor select cannot watch: closed, and said in one line (at most one a second, with the count). */
static void refuse(int fd) {
    static long long said, refused;
    refused++;
    if (!said || peer_now_ns() - said > 1000000000LL) {
        fprintf(stderr, "c-select: connection refused: its descriptor %d is past select's limit "
                        "(FD_SETSIZE %d); closed it (%lld refused so far)\n", fd, FD_SETSIZE, refused);
        said = peer_now_ns();
    }
    close(fd);
}

/* Accepts until EAGAIN, keeping *maxfd the highest descriptor in use; 1 when out of descriptors. */
static int accept_all(int lfd, int *maxfd) {
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) return errno == EMFILE || errno == ENFILE;
        if (fd >= FD_SETSIZE) {
            refuse(fd);
            continue;
        }
        peer_nodelay(fd);
        if (!(conns[fd] = conn_new(fd))) {
            close(fd); /* out of memory: the client is told by a close */
            continue;
        }
        conns[fd]->writing = 0;
        if (fd > *maxfd) *maxfd = fd;
    }
}

int main(int argc, char **argv) {
    struct peer_options o = peer_options("c-select", argc, argv);
    int lfd = peer_listen(&o, SOCK_NONBLOCK, "threads=1");
    int maxfd = lfd;
    long long paused_until = 0;
    for (;;) {
        fd_set readable, writable;
        FD_ZERO(&readable);
        FD_ZERO(&writable);
        if (!paused_until) FD_SET(lfd, &readable);
        for (int fd = 0; fd <= maxfd; fd++) {
            if (conns[fd]) FD_SET(fd, conns[fd]->writing ? &writable : &readable);
        }
        struct timeval pause = {0, 100000}; /* select may change it: set for every call */
        int ready = select(maxfd + 1, &readable, &writable, NULL, paused_until ? &pause : NULL);
        if (paused_until && peer_now_ns() >= paused_until) paused_until = 0;
        for (int fd = 0; fd <= maxfd && ready > 0; fd++) {
            if (!FD_ISSET(fd, &readable) && !FD_ISSET(fd, &writable)) continue;
            ready--;
            struct conn *c = conns[fd];
            if (!c) continue; /* the listener: accepted below, once the bitmaps are no longer read */
            int writing = conn_step(c, &o);
            if (writing < 0) {
                close(fd);
                free(c);
                conns[fd] = NULL;
            } else {
                c->writing = writing;
            }
        }
        while (maxfd > lfd && !conns[maxfd]) maxfd--;
        if (FD_ISSET(lfd, &readable) && accept_all(lfd, &maxfd)) {
            peer_out_of_descriptors("c-select");
            paused_until = peer_now_ns() + 100000000LL;
        }
    }
}
