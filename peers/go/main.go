// Command go is the Go peer: blocking-style code on goroutines, one per connection. Go's runtime
// does for every program what Java's virtual threads do: the code reads and writes as if it
// blocked, and the runtime parks the goroutine and waits on epoll for all of them (its netpoller),
// so it is the `virtual` backend's model in another runtime.
//
// How it works:
//  1. the main goroutine blocks in Accept;
//  2. each connection gets a goroutine (a few KiB of growable stack, not an OS thread);
//  3. that goroutine loops: Read, --work once, Write of all it read. A Read with no data parks the
//     goroutine and registers the socket with the netpoller; the OS thread runs another goroutine;
//  4. Read returns io.EOF (the client's half-close): everything read was written back, close.
//
// Threads: GOMAXPROCS (one per core) run the goroutines, plus a few for the runtime and for
// goroutines blocked in system calls. --work io:D is time.Sleep: it parks the goroutine only, the
// others go on; --work cpu:D holds a core, and all cores are used.
// Costs: a goroutine and a 16 KiB buffer per connection; the scheduler's hand-offs per message.
// Compare with: the `virtual` backend (VirtualThreadEchoServer), c-threads.c (the same code on OS
// threads), py_gevent.py (the same idea in Python: greenlets on one thread, under the GIL).
// Try it: (cd peers/go && go build -o /tmp/go-echo .) && /tmp/go-echo --port 8080
//
//	bin/loadgen --connections 500
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// work is --work: none, io (sleep) or cpu (spin), d each time.
type work struct {
	kind string
	d    time.Duration
}

var (
	durationSpec = regexp.MustCompile(`^(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h)$`)
	units        = map[string]float64{"ns": 1, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9}
)

// parseWork reads --work as bin/server does: none, io:D or cpu:D with D in its duration grammar.
func parseWork(spec string) (work, error) {
	s := strings.ToLower(strings.TrimSpace(spec))
	if s == "none" {
		return work{kind: "none"}, nil
	}
	bad := fmt.Errorf("'%s' is not a work spec (none, io:DURATION or cpu:DURATION, e.g. io:5ms, cpu:500us)", spec)
	kind, d, ok := strings.Cut(s, ":")
	if !ok || (kind != "io" && kind != "cpu") {
		return work{}, bad
	}
	if d == "0" || d == "off" {
		return work{kind: kind}, nil
	}
	m := durationSpec.FindStringSubmatch(d)
	if m == nil {
		return work{}, bad
	}
	n, _ := strconv.ParseFloat(m[1], 64)
	return work{kind: kind, d: time.Duration(n * units[m[2]])}, nil
}

// do is one unit of work on the calling goroutine: io parks it, cpu spins a core.
func (w work) do() {
	switch {
	case w.d == 0:
	case w.kind == "io":
		time.Sleep(w.d)
	case w.kind == "cpu":
		for end := time.Now().Add(w.d); time.Now().Before(end); {
		}
	}
}

func echo(c net.Conn, w work) {
	defer c.Close()
	buf := make([]byte, 16*1024)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			w.do()
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return // io.EOF (half-close: all echoed) or a reset: this connection only
		}
	}
}

func usage(msg string) {
	fmt.Fprintf(os.Stderr, "go: %s (usage: go [--host H] [--port P] [--work none|io:D|cpu:D])\n", msg)
	os.Exit(2)
}

func main() {
	flags := flag.NewFlagSet("go", flag.ContinueOnError)
	flags.SetOutput(io.Discard) // one line of ours instead of flag's usage text
	host := flags.String("host", "127.0.0.1", "")
	port := flags.Int("port", 0, "")
	spec := flags.String("work", "none", "")
	if err := flags.Parse(os.Args[1:]); err != nil {
		usage(err.Error())
	}
	if flags.NArg() > 0 {
		usage("unexpected argument '" + flags.Arg(0) + "'")
	}
	if *port < 0 || *port > 65535 {
		usage(fmt.Sprintf("'%d' is not a port from 0 to 65535", *port))
	}
	w, err := parseWork(*spec)
	if err != nil {
		usage(err.Error())
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*port)))
	if errors.Is(err, syscall.EADDRINUSE) {
		fmt.Fprintf(os.Stderr, "port %d is already in use\n", *port)
		os.Exit(1)
	} else if err != nil {
		fmt.Fprintf(os.Stderr, "go: %v\n", err)
		os.Exit(1)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() { <-stop; os.Exit(0) }()
	fmt.Printf("listening on %s:%d backend=go gomaxprocs=%d work=%s\n", *host, ln.Addr().(*net.TCPAddr).Port, runtime.GOMAXPROCS(0), *spec)
	for {
		c, err := ln.Accept()
		if err != nil {
			time.Sleep(100 * time.Millisecond) // out of descriptors: back off, keep serving
			continue
		}
		go echo(c, w) // Go sets TCP_NODELAY on every TCP connection by default
	}
}
