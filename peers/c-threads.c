/*
 * c-threads: blocking IO, one POSIX thread per connection. The chapter's first model in C:
 * echolab's `blocking` backend without the JVM.
 *
 * How it works:
 *  1. the main thread blocks in accept;
 *  2. each accepted connection gets a new detached pthread with a small stack (64 KiB: the echo
 *     loop needs a few hundred bytes plus its 16 KiB buffer; the default would be 8 MiB of
 *     address space each);
 *  3. that thread loops: blocking read, --work once, blocking write of all it read;
 *  4. read returns 0 (the client's half-close): everything read has been written back, close, and
 *     the thread ends.
 *
 * Threads: 1 + one per open connection; each blocks in read (waiting for its client) or write (the
 *   client is not reading: the kernel's buffers fill and the thread waits, which is the
 *   backpressure, for free).
 * Costs: a thread (a stack, a kernel task, a context switch per message) for every connection,
 *   idle or not. --work io:D only holds that connection's thread: the others go on.
 * Compare with: the `blocking` backend (ThreadPerConnectionEchoServer), c-epoll.c (one thread for
 *   all), go/main.go (the same code shape on goroutines), py_threads.py (the same in Python, under the GIL).
 * Try it: gcc -O2 -pthread -o /tmp/c-threads peers/c-threads.c && /tmp/c-threads --port 8080
 *         bin/loadgen --connections 500
 */
#include "peer.h"
#include <pthread.h>

#define STACK (64 * 1024)

static struct peer_options options;

static void *echo(void *arg) {
    int fd = (int) (long) arg;
    peer_blocking_echo(fd, &options); /* peer.h: read, --work, write back, until the half-close */
    close(fd);
    return NULL;
}

int main(int argc, char **argv) {
    options = peer_options("c-threads", argc, argv);
    int lfd = peer_listen(&options, 0, "threads=per-connection");
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, STACK);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (;;) {
        int fd = peer_accept(lfd);
        pthread_t t;
        if (pthread_create(&t, &attr, echo, (void *) (long) fd)) {
            close(fd); /* out of threads: the client is told by a close */
        }
    }
}
