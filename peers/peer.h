/*
 * peer.h: what the C peers share, so that each .c file is only its model. The command line
 * every peer takes (--host H, --port P, --work none|io:D|cpu:D, the same words as bin/server), the
 * simulated work, the listening socket bound as echolab's Sockets binds it (SO_REUSEADDR, backlog
 * 4096), and the one ready line the lab waits for: "listening on HOST:PORT backend=ID ...".
 * Bad usage is one line on stderr and exit 2; a port in use one line and exit 1; SIGTERM and SIGINT
 * exit 0 (the kernel closes every socket).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct peer_options {
    const char *id;    /* the peer's id, as the lab names it */
    const char *host;  /* as the user wrote it; default 127.0.0.1 */
    int port;          /* 0: any free port */
    char work;         /* 'n'one, 'i'o (sleep), 'c'pu (spin) */
    long long work_ns; /* how long each unit of work takes */
    const char *work_spec; /* as the user wrote it, for the ready line */
};

static void peer_usage(const char *id, const char *what) {
    fprintf(stderr, "%s: %s (usage: %s [--host H] [--port P] [--work none|io:D|cpu:D])\n", id, what, id);
    exit(2);
}

/* Durations as bin/server reads them: 0, off, or a number (with a fraction) and ns|us|µs|ms|s|m|h. -1 if not. */
static long long peer_duration(const char *s) {
    if (!strcmp(s, "0") || !strcasecmp(s, "off")) return 0;
    char *end;
    if (*s < '0' || *s > '9') return -1;
    double n = strtod(s, &end);
    while (*end == ' ') end++;
    static const struct { const char *unit; double ns; } units[] = {
        {"ns", 1}, {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcasecmp(end, units[i].unit)) return (long long) (n * units[i].ns);
    return -1;
}

static struct peer_options peer_options(const char *id, int argc, char **argv) {
    struct peer_options o = {id, "127.0.0.1", 0, 'n', 0, "none"};
    char line[300];
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(opt, "--host") && strcmp(opt, "--port") && strcmp(opt, "--work")) {
            snprintf(line, sizeof line, "unknown option '%s'", opt);
            peer_usage(id, line);
        }
        if (!val) {
            snprintf(line, sizeof line, "%s needs a value", opt);
            peer_usage(id, line);
        }
        i++;
        char *end;
        if (!strcmp(opt, "--host")) {
            o.host = val;
        } else if (!strcmp(opt, "--port")) {
            long p = strtol(val, &end, 10);
            if (*val == '\0' || *end || p < 0 || p > 65535) {
                snprintf(line, sizeof line, "'%s' is not a port from 0 to 65535", val);
                peer_usage(id, line);
            }
            o.port = (int) p;
        } else if (!strcasecmp(val, "none")) {
            o.work = 'n';
            o.work_spec = val;
        } else {
            o.work_spec = val;
            const char *colon = strchr(val, ':');
            o.work = !strncasecmp(val, "io:", 3) ? 'i' : !strncasecmp(val, "cpu:", 4) ? 'c' : 0;
            o.work_ns = colon ? peer_duration(colon + 1) : -1;
            if (!o.work || o.work_ns < 0) {
                snprintf(line, sizeof line, "'%s' is not a work spec (none, io:DURATION or cpu:DURATION, e.g. io:5ms, cpu:500us)", val);
                peer_usage(id, line);
            }
        }
    }
    return o;
}

static long long peer_now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* One unit of --work, done by the calling thread: io sleeps it (the core is free), cpu spins it (the core is busy). */
static void peer_work(const struct peer_options *o) {
    if (o->work == 'n' || o->work_ns == 0) return;
    long long end = peer_now_ns() + o->work_ns;
    if (o->work == 'c') {
        while (peer_now_ns() < end) {
        }
        return;
    }
    for (long long left = o->work_ns; left > 0; left = end - peer_now_ns()) {
        struct timespec t = {left / 1000000000LL, left % 1000000000LL};
        nanosleep(&t, NULL);
    }
}

static void peer_exit(int sig) {
    (void) sig;
    _exit(0);
}

/* Binds and listens (blocking or not), prints the ready line; exits 1 with one line if it cannot. */
static int peer_listen(const struct peer_options *o, int flags, const char *details) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *a;
    char port[8];
    snprintf(port, sizeof port, "%d", o->port);
    int rc = getaddrinfo(o->host, port, &hints, &a);
    if (rc) {
        fprintf(stderr, "%s: cannot resolve %s: %s\n", o->id, o->host, gai_strerror(rc));
        exit(1);
    }
    int fd = socket(a->ai_family, SOCK_STREAM | flags, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, a->ai_addr, a->ai_addrlen) || listen(fd, 4096)) {
        if (errno == EADDRINUSE) fprintf(stderr, "port %d is already in use\n", o->port);
        else fprintf(stderr, "%s: cannot listen on %s:%d: %s\n", o->id, o->host, o->port, strerror(errno));
        exit(1);
    }
    freeaddrinfo(a);
    struct sockaddr_storage bound;
    socklen_t len = sizeof bound;
    getsockname(fd, (struct sockaddr *) &bound, &len);
    int real = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *) &bound)->sin6_port
                                                 : ((struct sockaddr_in *) &bound)->sin_port);
    signal(SIGTERM, peer_exit);
    signal(SIGINT, peer_exit);
    signal(SIGPIPE, SIG_IGN); /* a client gone mid-write is EPIPE on that connection, not the end of us */
    printf("listening on %s:%d backend=%s %s work=%s\n", o->host, real, o->id, details, o->work_spec);
    fflush(stdout);
    return fd;
}

/* An echo must not wait for more bytes (Nagle): every backend sets this. */
static void peer_nodelay(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Blocking accept, the new connection with TCP_NODELAY; out of descriptors it backs off 100 ms (no busy loop) and tries again. */
static inline int peer_accept(int lfd) {
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd >= 0) {
            peer_nodelay(fd);
            return fd;
        }
        if (errno == EMFILE || errno == ENFILE) usleep(100000);
    }
}

/*
 * The blocking echo loop c-threads runs on a thread and c-fork in a process: read, --work once,
 * write all of it back. Returns at the client's half-close (read 0: everything read has been
 * written back), a reset or a broken write; the caller closes.
 */
static inline void peer_blocking_echo(int fd, const struct peer_options *o) {
    char buf[16 * 1024];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        peer_work(o);
        for (ssize_t off = 0, w; off < n; off += w) {
            if ((w = write(fd, buf + off, (size_t) (n - off))) < 0) return;
        }
    }
}
