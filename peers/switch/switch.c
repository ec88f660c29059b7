/* One OS thread hand-off, timed: two POSIX threads play ping-pong through two semaphores (a futex
 * each on Linux), ROUNDS times; one switch is the elapsed time over 2 x ROUNDS. A hand-off is a
 * sem_post that wakes the sleeping thread in the kernel and a sem_wait that puts this one to sleep:
 * two system calls and a context switch, the price every thread-per-connection server pays when one
 * thread's wait ends and another's begins. Pinned to one core, the switch is a direct one; on two
 * cores the woken thread may run on the other core while this one goes to sleep.
 *
 * Prints one JSON object per line: {"runtime": "c", "kind": "pthread", "cores": N, "ns_per_switch": ...}.
 * Usage: gcc -O2 -pthread -o /tmp/switch peers/switch/switch.c && /tmp/switch [--rounds N]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static sem_t ping, pong;
static long rounds = 200000;

static void *ponger(void *arg) {
    long n = *(long *)arg;
    for (long i = 0; i < n; i++) {
        sem_wait(&ping);
        sem_post(&pong);
    }
    return NULL;
}

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

/* One measurement with both threads allowed on `cores` cores (1: the same core). */
static double ping_pong(long n, int cores) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int c = 0; c < cores; c++) CPU_SET(c, &set);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setaffinity_np(&attr, sizeof set, &set);
    sched_setaffinity(0, sizeof set, &set);
    sem_init(&ping, 0, 0);
    sem_init(&pong, 0, 0);
    pthread_t t;
    pthread_create(&t, &attr, ponger, &n);
    double start = now_ns();
    for (long i = 0; i < n; i++) {
        sem_post(&ping);
        sem_wait(&pong);
    }
    double elapsed = now_ns() - start;
    pthread_join(t, NULL);
    return elapsed / (2.0 * n);
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--rounds") == 0 && atol(argv[2]) > 0) {
        rounds = atol(argv[2]);
    } else if (argc != 1) {
        fprintf(stderr, "switch: --rounds takes a whole number above 0 (usage: switch [--rounds N])\n");
        return 2;
    }
    cpu_set_t all;
    sched_getaffinity(0, sizeof all, &all);
    int cores = CPU_COUNT(&all);
    int counts[2] = {1, cores};
    for (int i = 0; i < (cores > 1 ? 2 : 1); i++) {
        ping_pong(rounds / 10, counts[i]); /* warm */
        printf("{\"runtime\": \"c\", \"kind\": \"pthread\", \"cores\": %d, \"rounds\": %ld, \"ns_per_switch\": %.1f}\n",
               counts[i], rounds, ping_pong(rounds, counts[i]));
        fflush(stdout);
    }
    return 0;
}
