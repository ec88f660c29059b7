/*
 * c-fork: blocking IO, one process per connection: the chapter's multiprocessing model in C, and
 * the oldest Unix server shape (inetd, early Apache).
 *
 * How it works:
 *  1. the parent blocks in accept;
 *  2. each accepted connection gets fork(): a copy of the whole process (its memory shared
 *     copy-on-write, its descriptors duplicated). The child closes the listening socket and runs
 *     the blocking echo loop (read, --work once, write all of it) until the client's half-close,
 *     then exits; the parent closes its copy of the connection and goes back to accept;
 *  3. a child that exits stays a zombie (its exit status kept for the parent) until the parent
 *     waits for it: the SIGCHLD handler does, for every child that has ended;
 *  4. SIGTERM (or SIGINT) to the parent: it sends SIGTERM to every child it has, waits for them
 *     all, then exits 0; and each child asked the kernel (PR_SET_PDEATHSIG) for SIGTERM should the
 *     parent die without doing so (SIGKILL). No child outlives the server.
 *
 * Threads: one per process; 1 + one process per open connection. Each child blocks in read
 *   (waiting for its client) or write; --work io:D holds only its own process.
 * Costs: a fork (page tables copied, a new kernel task), an exit and a wait per connection, which
 *   is why pools exist; a process per open connection, idle or not; a context switch per message.
 * Compare with: c-threads.c (a thread per connection: shares one address space), py_fork.py (the
 *   same in Python, each child with its own GIL), the `blocking` backend.
 * Try it: gcc -O2 -o /tmp/c-fork peers/c-fork.c && /tmp/c-fork --port 8080
 *         bin/loadgen --connections 500
 */
#include "peer.h"
#include <sys/prctl.h>
#include <sys/wait.h>

/* The children alive; changed only with SIGCHLD and SIGTERM blocked, or inside their handlers. */
static pid_t *kids;
static size_t nkids, cap;

static void on_child_exit(int sig) {
    (void) sig;
    int saved = errno;
    pid_t pid;
    while ((pid = waitpid(-1, NULL, WNOHANG)) > 0) {
        for (size_t i = 0; i < nkids; i++) {
            if (kids[i] == pid) {
                kids[i] = kids[--nkids];
                break;
            }
        }
    }
    errno = saved;
}

static void on_term(int sig) {
    (void) sig;
    for (size_t i = 0; i < nkids; i++) kill(kids[i], SIGTERM);
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) {
    }
    _exit(0);
}

int main(int argc, char **argv) {
    struct peer_options o = peer_options("c-fork", argc, argv);
    int lfd = peer_listen(&o, 0, "processes=per-connection");
    pid_t parent = getpid();
    sigset_t both, old;
    sigemptyset(&both);
    sigaddset(&both, SIGCHLD);
    sigaddset(&both, SIGTERM);
    sigaddset(&both, SIGINT);
    struct sigaction child = {.sa_handler = on_child_exit, .sa_flags = SA_RESTART | SA_NOCLDSTOP};
    struct sigaction term = {.sa_handler = on_term, .sa_mask = both};
    sigaction(SIGCHLD, &child, NULL);
    sigaction(SIGTERM, &term, NULL);
    sigaction(SIGINT, &term, NULL);
    for (;;) {
        int fd = peer_accept(lfd);
        sigprocmask(SIG_BLOCK, &both, &old); /* the handlers must not see the list half-changed */
        if (nkids == cap) {
            size_t more = cap ? 2 * cap : 64;
            pid_t *k = realloc(kids, more * sizeof *k);
            if (k) {
                kids = k;
                cap = more;
            }
        }
        pid_t pid = nkids < cap ? fork() : -1;
        if (pid == 0) {
            signal(SIGTERM, peer_exit); /* the parent's handlers are not the child's */
            signal(SIGINT, peer_exit);
            signal(SIGCHLD, SIG_DFL);
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (getppid() != parent) _exit(0); /* the parent died before prctl took effect */
            sigprocmask(SIG_SETMASK, &old, NULL);
            close(lfd);
            peer_blocking_echo(fd, &o); /* peer.h: read, --work, write back, until the half-close */
            _exit(0); /* the kernel closes the connection */
        }
        if (pid > 0) kids[nkids++] = pid; /* pid < 0: out of processes (or memory); the client is told by a close */
        sigprocmask(SIG_SETMASK, &old, NULL);
        close(fd);
    }
}
