// natsbench is the NATS side of scripts/bench.sh: the same pub/sub/idle roles as
// Decnet.Bench.Load, written against the official Go client (Debian's
// golang-github-nats-io-go-nats-dev), built offline in GOPATH mode.
//
// Protocol with the orchestrator: a role prints READY when its subscriptions are
// live, then one JSON line with its results. Times are CLOCK_MONOTONIC ns, the
// same clock .NET's Stopwatch reads, so pub and sub timestamps compare.
package main

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	_ "unsafe" // go:linkname

	"github.com/nats-io/nats.go"
)

//go:linkname nanotime runtime.nanotime
func nanotime() int64

const endMarkerSize = 1

type subResult struct {
	Role      string    `json:"role"`
	Received  []int64   `json:"received"`
	First     int64     `json:"first"`
	Last      int64     `json:"last"`
	Latencies []float64 `json:"latency_us,omitempty"`
	Note      string    `json:"note,omitempty"`
	CPU       float64   `json:"cpu_s"`
	CPUStart  float64   `json:"cpu_start_s"`
	Skipped   []int64   `json:"skipped"`
}

type pubResult struct {
	Role     string  `json:"role"`
	Sent     int64   `json:"sent"`
	Start    int64   `json:"start"`
	End      int64   `json:"end"`
	CPU      float64 `json:"cpu_s"`
	CPUStart float64 `json:"cpu_start_s"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: natsbench sub|pub|idle [flags]")
		os.Exit(2)
	}
	role := os.Args[1]
	fs := flag.NewFlagSet(role, flag.ExitOnError)
	url := fs.String("target", nats.DefaultURL, "server URL")
	topic := fs.String("topic", "bench", "subject (prefix when -literals > 0)")
	count := fs.Int64("count", 100000, "events to publish")
	clients := fs.Int("clients", 1, "connections in this process")
	literals := fs.Int("literals", 0, "literal subscriptions (W4): topic.t0..t{n-1} plus one wildcard")
	subs := fs.Int("subs", 3, "subscriptions per idle client")
	size := fs.Int("size", 128, "payload bytes")
	pace := fs.Int("pace-us", 0, "publish one event every N microseconds (0 = as fast as possible)")
	warmup := fs.Int64("warmup", 0, "unmeasured events (timestamp -1) a publisher sends first, then 100 ms quiet")
	skipWarmup := fs.Bool("skip-warmup", false, "read each connection's stamps until its first measured event, to skip the warm-up's (W1S, W2S)")
	latency := fs.Bool("latency", false, "record one-way latency from the payload timestamp")
	idleMs := fs.Int("idle-ms", 3000, "give up after this long without an event")
	_ = fs.String("name", "sub", "client name (used by the Decnet roles to find a connection in broker stats)")
	_ = fs.Parse(os.Args[2:])

	switch role {
	case "sub":
		runSub(*url, *topic, *count, *clients, *literals, *latency, time.Duration(*idleMs)*time.Millisecond, *skipWarmup)
	case "pub":
		runPub(*url, *topic, *count, *literals, *size, *pace, *warmup)
	case "idle":
		runIdle(*url, *topic, *clients, *subs)
	default:
		fmt.Fprintln(os.Stderr, "unknown role", role)
		os.Exit(2)
	}
}

func connect(url string) *nats.Conn {
	nc, err := nats.Connect(url, nats.MaxReconnects(-1), nats.ReconnectBufSize(-1))
	if err != nil {
		fmt.Fprintln(os.Stderr, "connect:", err)
		os.Exit(1)
	}
	return nc
}

func subjects(topic string, literals int) []string {
	if literals <= 0 {
		return []string{topic}
	}
	out := make([]string, literals)
	for i := range out {
		out[i] = fmt.Sprintf("%s.t%d", topic, i)
	}
	return out
}

func runSub(url, topic string, count int64, clients, literals int, latency bool, idle time.Duration, skipWarmup bool) {
	received := make([]int64, clients)
	skipped := make([]int64, clients)
	measuring := make([]int32, clients)
	var first, last int64
	var cpuStart uint64 // float64 bits: written by a handler, read after the end marker or the idle timeout
	var lat []int64
	if latency {
		lat = make([]int64, 0, count)
	}
	var latMu sync.Mutex
	done := make(chan int, clients)
	conns := make([]*nats.Conn, clients)
	var lastAny int64
	for c := 0; c < clients; c++ {
		c := c
		nc := connect(url)
		conns[c] = nc
		var finished int32
		handler := func(m *nats.Msg) {
			now := nanotime()
			atomic.StoreInt64(&lastAny, now)
			if len(m.Data) == endMarkerSize {
				if atomic.CompareAndSwapInt32(&finished, 0, 1) {
					done <- c
				}
				return
			}
			wantsStamp := latency || (skipWarmup && atomic.LoadInt32(&measuring[c]) == 0)
			if wantsStamp && len(m.Data) >= 8 && int64(binary.LittleEndian.Uint64(m.Data)) == warmupStamp {
				atomic.AddInt64(&skipped[c], 1)
				return // a warm-up event (W3, W1S, W2S): neither counted nor timed
			}
			if skipWarmup && atomic.LoadInt32(&measuring[c]) == 0 {
				atomic.StoreInt32(&measuring[c], 1) // from here on a subscriber that only counts reads no stamp
			}
			n := atomic.AddInt64(&received[c], 1)
			if n == 1 && atomic.CompareAndSwapInt64(&first, 0, now) {
				// Start-up and warm-up are behind this point: the CPU from here on is the counted events'.
				atomic.StoreUint64(&cpuStart, math.Float64bits(cpuSeconds()))
			}
			atomic.StoreInt64(&last, now)
			if latency && len(m.Data) >= 8 {
				sent := int64(binary.LittleEndian.Uint64(m.Data))
				latMu.Lock()
				lat = append(lat, now-sent)
				latMu.Unlock()
			}
		}
		for _, s := range subjects(topic, literals) {
			sub, err := nc.Subscribe(s, handler)
			if err != nil {
				fmt.Fprintln(os.Stderr, "subscribe:", err)
				os.Exit(1)
			}
			_ = sub.SetPendingLimits(-1, -1)
		}
		if literals > 0 {
			// One wildcard that the traffic never matches: the server must still consult it.
			if _, err := nc.Subscribe(topic+".*.idle", handler); err != nil {
				fmt.Fprintln(os.Stderr, "subscribe:", err)
				os.Exit(1)
			}
		}
		if err := nc.Flush(); err != nil {
			fmt.Fprintln(os.Stderr, "flush:", err)
			os.Exit(1)
		}
	}
	fmt.Println("READY")
	atomic.StoreInt64(&lastAny, nanotime())
	note := ""
	tick := nanotime()
	for waiting := clients; waiting > 0; {
		select {
		case <-done:
			waiting--
		case <-time.After(100 * time.Millisecond):
			now := nanotime()
			if now-tick > int64(time.Second) {
				// Suspended (W6 SIGSTOPs this process): idle time starts again from the resume.
				atomic.StoreInt64(&lastAny, now)
			}
			tick = now
			if now-atomic.LoadInt64(&lastAny) > int64(idle) {
				note = "idle timeout before end marker"
				waiting = 0
			}
		}
	}
	for _, nc := range conns {
		nc.Close()
	}
	res := subResult{Role: "sub", Received: received, First: first, Last: last, Note: note, CPU: cpuSeconds(), CPUStart: math.Float64frombits(atomic.LoadUint64(&cpuStart)), Skipped: skipped}
	if latency {
		res.Latencies = percentiles(lat)
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
}

// cpuSeconds is this process's user+system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func percentiles(v []int64) []float64 {
	if len(v) == 0 {
		return []float64{0, 0, 0}
	}
	sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
	at := func(p float64) float64 {
		i := int(p * float64(len(v)-1))
		return float64(v[i]) / 1000.0
	}
	return []float64{at(0.50), at(0.90), at(0.99)}
}

// warmupStamp marks the unmeasured events a W3, W1S or W2S publisher sends first (the C# roles use the same value).
const warmupStamp = int64(-1)

func runPub(url, topic string, count int64, literals, size, pace int, warmup int64) {
	nc := connect(url)
	defer nc.Close()
	subs := subjects(topic, literals)
	payload := make([]byte, size)
	for i := range payload {
		payload[i] = byte(i)
	}
	interval := int64(pace) * 1000
	if warmup > 0 {
		next := nanotime()
		stamp := warmupStamp
		binary.LittleEndian.PutUint64(payload, uint64(stamp))
		for i := int64(0); i < warmup; i++ {
			for nanotime() < next {
			}
			// No catching up: a warm-up that fell behind goes on from now instead of sending a burst.
			if now := nanotime(); now > next {
				next = now
			}
			next += interval
			if err := nc.Publish(subs[int(i%int64(len(subs)))], payload); err != nil {
				fmt.Fprintln(os.Stderr, "publish:", err)
				os.Exit(1)
			}
		}
		_ = nc.Flush()
		time.Sleep(100 * time.Millisecond)
		binary.LittleEndian.PutUint64(payload, 0x0706050403020100)
	}
	cpuStart := cpuSeconds()
	start := nanotime()
	next := start
	for i := int64(0); i < count; i++ {
		if interval > 0 {
			for nanotime() < next {
			}
			next += interval
			binary.LittleEndian.PutUint64(payload, uint64(nanotime()))
		}
		if err := nc.Publish(subs[int(i%int64(len(subs)))], payload); err != nil {
			fmt.Fprintln(os.Stderr, "publish:", err)
			os.Exit(1)
		}
	}
	_ = nc.Flush()
	end := nanotime()
	_ = nc.Publish(subs[0], []byte{0})
	_ = nc.Flush()
	out, _ := json.Marshal(pubResult{Role: "pub", Sent: count, Start: start, End: end, CPU: cpuSeconds(), CPUStart: cpuStart})
	fmt.Println(string(out))
}

func runIdle(url, topic string, clients, subs int) {
	conns := make([]*nats.Conn, 0, clients)
	for c := 0; c < clients; c++ {
		nc := connect(url)
		for s := 0; s < subs; s++ {
			if _, err := nc.Subscribe(fmt.Sprintf("%s.c%d.s%d", topic, c, s), func(*nats.Msg) {}); err != nil {
				fmt.Fprintln(os.Stderr, "subscribe:", err)
				os.Exit(1)
			}
		}
		_ = nc.Flush()
		conns = append(conns, nc)
	}
	fmt.Println("READY")
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	for _, nc := range conns {
		nc.Close()
	}
}
