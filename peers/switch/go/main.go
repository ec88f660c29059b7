// Command switch times one goroutine hand-off: two goroutines play ping-pong over two unbuffered
// channels, rounds times; one switch is the elapsed time over 2 x rounds. With GOMAXPROCS=1 both
// run on one OS thread and a hand-off is the scheduler switching goroutines in user space (no
// system call); with one per core the other goroutine may sit on another thread, and a hand-off
// can wake that thread through the kernel (futex), as Java's virtual threads may wake a carrier.
//
// Prints one JSON object per line: {"runtime": "go", "kind": "goroutine", "cores": N, "ns_per_switch": ...}.
// Usage: (cd peers/switch/go && go run .) [--rounds N]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"
)

func pingPong(rounds int) time.Duration {
	ping, pong := make(chan struct{}), make(chan struct{})
	go func() {
		for range ping {
			pong <- struct{}{}
		}
	}()
	start := time.Now()
	for i := 0; i < rounds; i++ {
		ping <- struct{}{}
		<-pong
	}
	elapsed := time.Since(start)
	close(ping)
	return elapsed
}

func report(threads int, rounds int) {
	pingPong(rounds / 10) // warm: the scheduler's first allocations
	elapsed := pingPong(rounds)
	line, _ := json.Marshal(map[string]any{"runtime": "go", "kind": "goroutine", "cores": threads, "rounds": rounds,
		"ns_per_switch": float64(elapsed.Nanoseconds()) / float64(2*rounds)})
	fmt.Println(string(line))
}

func main() {
	flag.CommandLine.SetOutput(os.Stderr)
	rounds := flag.Int("rounds", 1_000_000, "ping-pong rounds per measurement")
	flag.Parse()
	if *rounds <= 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "switch: --rounds takes a whole number above 0 (usage: switch [--rounds N])")
		os.Exit(2)
	}
	cores := runtime.GOMAXPROCS(1)
	report(1, *rounds)
	if cores > 1 {
		runtime.GOMAXPROCS(cores)
		report(cores, *rounds)
	}
}
