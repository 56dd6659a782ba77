// Command gen-go is `paddock bench`'s Go generator (--generator go): bench/load-worker.ts in Go.
// It opens `clients` sessions, each its own connection (Paddock through clients/go, ZooKeeper or
// Paddock's ZooKeeper door through go-zookeeper), runs `concurrency` closed loops on each, and
// records the latency of operations that start after the warm-up and end before the deadline.
//
// The coordinator (bench/load-runner.ts) talks to it in JSON lines: on stdin a job, then a go;
// on stdout ready, then a result (or failed). The messages are load-worker.ts's WorkerJob,
// WorkerGo and WorkerReply; the histogram is bench/histogram.ts's. Logs go to stderr. The process
// exits when its stdin closes, so it never outlives the coordinator.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-zookeeper/zk"
	paddock "github.com/paddock-dev/paddock/clients/go"
)

const connectDeadline = 15 * time.Second

// message is every message either way; each type uses its own fields.
type message struct {
	Type string `json:"type"`

	// job
	Target           string  `json:"target,omitempty"`
	Address          string  `json:"address,omitempty"`
	Workload         string  `json:"workload,omitempty"`
	WorkerIndex      int     `json:"workerIndex,omitempty"`
	Clients          int     `json:"clients,omitempty"`
	Concurrency      int     `json:"concurrency,omitempty"`
	ValueSize        int     `json:"valueSize,omitempty"`
	ReadRatio        float64 `json:"readRatio,omitempty"`
	Prefix           string  `json:"prefix,omitempty"`
	SessionTimeoutMs int     `json:"sessionTimeoutMs,omitempty"`
	PaddockClient    string  `json:"paddockClient,omitempty"`
	Topology         string  `json:"topology,omitempty"`

	// go
	MeasureStartEpochMs float64  `json:"measureStartEpochMs,omitempty"`
	MeasureEndEpochMs   *float64 `json:"measureEndEpochMs,omitempty"`
	OpsQuota            *int64   `json:"opsQuota,omitempty"`
}

type result struct {
	Type        string        `json:"type"`
	Histogram   histogramData `json:"histogram"`
	Ops         int64         `json:"ops"`
	Errors      int64         `json:"errors"`
	ErrorSample *string       `json:"errorSample,omitempty"`
	ElapsedMs   float64       `json:"elapsedMs"`
	CPUSeconds  float64       `json:"cpuSeconds"`
}

var (
	outMu sync.Mutex
	out   = json.NewEncoder(os.Stdout)
)

func post(v any) {
	outMu.Lock()
	defer outMu.Unlock()
	if err := out.Encode(v); err != nil {
		fmt.Fprintf(os.Stderr, "gen-go: write: %v\n", err)
		os.Exit(1)
	}
}

func fail(err error) {
	post(struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	}{"failed", err.Error()})
	os.Exit(1)
}

// session is the adapter each client implements (bench/targets/target.ts's BenchClient, the
// operations the load workloads use).
type session interface {
	create(path string, data []byte, sequential bool) error
	setData(path string, data []byte) error
	getData(path string) error
	close()
}

// paddockSession is Paddock through its Go client: one gRPC connection per client.
type paddockSession struct{ c *paddock.Client }

func (s paddockSession) create(path string, data []byte, sequential bool) error {
	mode := paddock.ModePersistent
	if sequential {
		mode = paddock.ModePersistentSequential
	}
	_, err := s.c.Create(context.Background(), path, data, mode, nil)
	return err
}

func (s paddockSession) setData(path string, data []byte) error {
	_, err := s.c.SetData(context.Background(), path, data, paddock.AnyVersion)
	return err
}

func (s paddockSession) getData(path string) error {
	_, _, err := s.c.GetData(context.Background(), path)
	return err
}

func (s paddockSession) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.c.Close(ctx)
}

// zkSession is ZooKeeper's protocol through go-zookeeper: one TCP connection per session.
type zkSession struct{ c *zk.Conn }

var openACL = zk.WorldACL(zk.PermAll)

func (s zkSession) create(path string, data []byte, sequential bool) error {
	var flags int32
	if sequential {
		flags = zk.FlagSequence
	}
	_, err := s.c.Create(path, data, flags, openACL)
	return err
}

func (s zkSession) setData(path string, data []byte) error {
	_, err := s.c.Set(path, data, -1)
	return err
}

func (s zkSession) getData(path string) error {
	_, _, err := s.c.Get(path)
	return err
}

func (s zkSession) close() { s.c.Close() }

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

func shuffled(connect string) []string {
	servers := strings.Split(connect, ",")
	rand.Shuffle(len(servers), func(i, j int) { servers[i], servers[j] = servers[j], servers[i] })
	return servers
}

// usesZooKeeperProtocol: the zookeeper target, or Paddock's (or the no-op's) ZooKeeper door
// (--paddock-client jute).
func usesZooKeeperProtocol(j *message) bool {
	return j.Target == "zookeeper" || j.PaddockClient == "jute"
}

func open(j *message) (session, error) {
	timeout := time.Duration(j.SessionTimeoutMs) * time.Millisecond
	if usesZooKeeperProtocol(j) {
		conn, events, err := zk.Connect(shuffled(j.Address), timeout, zk.WithLogger(nopLogger{}))
		if err != nil {
			return nil, err
		}
		deadline := time.After(connectDeadline)
		for {
			select {
			case e, ok := <-events:
				if !ok {
					return nil, errors.New("go-zookeeper: session events closed before a session")
				}
				if e.State == zk.StateHasSession {
					go func() {
						for range events { // go-zookeeper blocks if its event channel is not drained
						}
					}()
					return zkSession{conn}, nil
				}
			case <-deadline:
				conn.Close()
				return nil, fmt.Errorf("go-zookeeper: no session from %s within %v", j.Address, connectDeadline)
			}
		}
	}
	// paddock and noop (which speaks Paddock's session protocol) through clients/go.
	ctx, cancel := context.WithTimeout(context.Background(), connectDeadline)
	defer cancel()
	c, err := paddock.Connect(ctx, shuffled(j.Address),
		paddock.WithSessionTimeout(timeout),
		paddock.WithMaxQueuedRequests(max(4096, 2*j.Concurrency)))
	if err != nil {
		return nil, err
	}
	return paddockSession{c}, nil
}

func valueOfSize(n int) []byte {
	v := make([]byte, n)
	for i := range v {
		v[i] = byte(97 + i%26)
	}
	return v
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

func epochMs(t time.Time) float64 { return float64(t.UnixNano()) / 1e6 }

// loopStats is one closed loop's own figures, merged once every loop has ended.
type loopStats struct {
	h         *histogram
	ops       int64
	firstMs   float64
	lastEndMs float64
}

func run(j *message, goMsgs <-chan *message) result {
	sessions := make([]session, j.Clients)
	var wg sync.WaitGroup
	errs := make([]error, j.Clients)
	for c := range sessions {
		wg.Go(func() { sessions[c], errs[c] = open(j) })
	}
	wg.Wait()
	closeAll := func() {
		var cw sync.WaitGroup
		for _, s := range sessions {
			if s != nil {
				cw.Go(s.close)
			}
		}
		cw.Wait()
	}
	if err := errors.Join(errs...); err != nil {
		closeAll()
		fail(err)
	}

	createSize := j.ValueSize
	switch j.Workload {
	case "create-100":
		createSize = 100
	case "create-1k":
		createSize = 1024
	}
	value := valueOfSize(createSize)
	keyOf := func(c, l int) string { return fmt.Sprintf("%s/k-%d-%d-%d", j.Prefix, j.WorkerIndex, c, l) }
	if j.Workload == "set" || j.Workload == "get" || j.Workload == "mixed" {
		made := make([]error, j.Clients*j.Concurrency)
		var mw sync.WaitGroup
		for c := range j.Clients {
			for l := range j.Concurrency {
				mw.Go(func() { made[c*j.Concurrency+l] = sessions[c].create(keyOf(c, l), value, false) })
			}
		}
		mw.Wait()
		if err := errors.Join(made...); err != nil {
			closeAll()
			fail(err)
		}
	}
	post(message{Type: "ready"})
	start, ok := <-goMsgs
	if !ok {
		os.Exit(2)
	}

	startMs := start.MeasureStartEpochMs
	endMs := math.Inf(1)
	if start.MeasureEndEpochMs != nil {
		endMs = *start.MeasureEndEpochMs
	}
	quota := int64(-1)
	if start.OpsQuota != nil {
		quota = *start.OpsQuota
	}
	var (
		started, errCount, okCount atomic.Int64
		sampleMu                   sync.Mutex
		sample                     *string
		cpuAtStart                 atomic.Pointer[float64]
	)
	op := func(s session, c, l int) error {
		switch j.Workload {
		case "create-100", "create-1k":
			return s.create(j.Prefix+"/n-", value, true)
		case "set":
			return s.setData(keyOf(c, l), value)
		case "get":
			return s.getData(keyOf(c, l))
		default: // mixed
			if rand.Float64() < j.ReadRatio {
				return s.getData(keyOf(c, l))
			}
			return s.setData(keyOf(c, l), value)
		}
	}
	stats := make([]loopStats, j.Clients*j.Concurrency)
	var lw sync.WaitGroup
	for c := range j.Clients {
		for l := range j.Concurrency {
			st := &stats[c*j.Concurrency+l]
			*st = loopStats{h: newHistogram(), firstMs: math.Inf(1)}
			s := sessions[c]
			lw.Go(func() {
				for {
					t0 := time.Now()
					e0 := epochMs(t0)
					if e0 >= endMs {
						return
					}
					measured := e0 >= startMs
					if measured && quota >= 0 && started.Add(1) > quota {
						return
					}
					// CPU from the first measured operation, as gen-py and gen-java read it (a
					// timer at the start instant fires late on a busy machine).
					if measured && cpuAtStart.Load() == nil {
						v := cpuSeconds()
						cpuAtStart.CompareAndSwap(nil, &v)
					}
					err := op(s, c, l)
					t1 := time.Now()
					if err != nil {
						if measured {
							errCount.Add(1)
							sampleMu.Lock()
							if sample == nil {
								m := err.Error()
								sample = &m
							}
							sampleMu.Unlock()
						}
						if errCount.Load() > 1000 && okCount.Load() == 0 {
							return // nothing works: stop this loop instead of spinning
						}
						continue
					}
					if e1 := epochMs(t1); measured && e1 <= endMs {
						st.h.record(float64(t1.Sub(t0).Nanoseconds()) / 1e3)
						st.ops++
						okCount.Add(1)
						st.firstMs = math.Min(st.firstMs, e0)
						st.lastEndMs = math.Max(st.lastEndMs, e1)
					}
				}
			})
		}
	}
	lw.Wait()
	cpuEnd := cpuSeconds()

	total := newHistogram()
	var ops int64
	first, last := math.Inf(1), 0.0
	for _, st := range stats {
		total.merge(st.h)
		ops += st.ops
		first = math.Min(first, st.firstMs)
		last = math.Max(last, st.lastEndMs)
	}
	closeAll()
	r := result{
		Type:        "result",
		Histogram:   total.data(),
		Ops:         ops,
		Errors:      errCount.Load(),
		ErrorSample: sample,
	}
	if ops > 0 {
		r.ElapsedMs = last - first
	}
	if c0 := cpuAtStart.Load(); c0 != nil {
		r.CPUSeconds = cpuEnd - *c0
	}
	return r
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	if !in.Scan() {
		os.Exit(2)
	}
	var j message
	if err := json.Unmarshal(in.Bytes(), &j); err != nil || j.Type != "job" {
		fail(fmt.Errorf("gen-go: expected a job, got %q (%v)", in.Text(), err))
	}
	if j.Clients < 1 || j.Concurrency < 1 {
		fail(fmt.Errorf("gen-go: clients %d and concurrency %d must be at least 1", j.Clients, j.Concurrency))
	}
	startProfile()
	goMsgs := make(chan *message, 1)
	done := make(chan result, 1)
	go func() { done <- run(&j, goMsgs) }()
	lines := make(chan []byte)
	go func() {
		for in.Scan() {
			lines <- append([]byte(nil), in.Bytes()...)
		}
		close(lines)
	}()
	for {
		select {
		case r := <-done:
			stopProfile()
			post(r)
			os.Exit(0)
		case line, ok := <-lines:
			if !ok {
				// The coordinator is gone: do not outlive it.
				fmt.Fprintln(os.Stderr, "gen-go: stdin closed; exiting")
				os.Exit(2)
			}
			var m message
			if err := json.Unmarshal(line, &m); err != nil {
				fail(fmt.Errorf("gen-go: bad message %q: %v", line, err))
			}
			if m.Type == "go" {
				goMsgs <- &m
			}
		}
	}
}

// startProfile writes a CPU profile of this generator process to $BENCH_GEN_GO_CPUPROFILE.<pid>
// when that is set (go tool pprof reads it): where a client library spends its CPU per request.
func startProfile() {
	path := os.Getenv("BENCH_GEN_GO_CPUPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(fmt.Sprintf("%s.%d", path, os.Getpid()))
	if err != nil {
		fail(fmt.Errorf("gen-go: cpu profile: %v", err))
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fail(fmt.Errorf("gen-go: cpu profile: %v", err))
	}
}

func stopProfile() {
	if os.Getenv("BENCH_GEN_GO_CPUPROFILE") != "" {
		pprof.StopCPUProfile()
	}
}
