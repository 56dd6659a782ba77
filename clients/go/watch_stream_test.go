package paddock_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
	"github.com/paddock-dev/paddock/clients/go/internal/testproxy"
	"github.com/paddock-dev/paddock/clients/go/internal/testserver"
)

// next reads one batch within a deadline and renders it as "Type path" lines.
func nextBatch(t *testing.T, ws *paddock.WatchStream) (int64, []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b, err := ws.Next(ctx)
	if err != nil {
		t.Fatalf("watch stream Next: %v", err)
	}
	out := make([]string, len(b.Changes))
	for i, c := range b.Changes {
		out[i] = fmt.Sprintf("%v %s", c.Type, c.Path)
	}
	return b.Zxid, out
}

// Starts from a zxid in the past (events already committed come first), recursive, with data;
// the TCP connection is cut while writes go on, and the stream resumes by itself from the last
// zxid: every change once, in zxid order.
func TestWatchStreamResumesAfterCut(t *testing.T) {
	ctx := testCtx(t)
	writer := connect(t)
	r := root(t, writer)
	_, st, err := writer.Exists(ctx, r)
	noErr(t, err)
	create(t, writer, r+"/a", []byte("1"), paddock.ModePersistent)

	px := testproxy.Start(t, srv.Addr)
	c := connectTo(t, px.Addr(), paddock.WithBackoff(10*time.Millisecond, 100*time.Millisecond))
	from := st.Czxid
	ws, err := c.WatchStream(ctx, r, paddock.WatchStreamOptions{FromZxid: &from, Recursive: true, WithData: true,
		ProgressInterval: 100 * time.Millisecond})
	noErr(t, err)
	defer ws.Close()

	b, err := ws.Next(ctx)
	noErr(t, err)
	if len(b.Changes) != 1 || b.Changes[0].Type != paddock.EventNodeCreated || string(b.Changes[0].Data) != "1" {
		t.Fatalf("first batch %+v", b)
	}
	last := b.Zxid

	px.Pause()
	for i := 0; i < 5; i++ {
		_, err := writer.SetData(ctx, r+"/a", []byte(fmt.Sprint(i)), paddock.AnyVersion)
		noErr(t, err)
	}
	px.Resume()
	for i := 0; i < 5; i++ {
		b, err := ws.Next(ctx)
		noErr(t, err)
		if b.Zxid <= last {
			t.Fatalf("batch %d: zxid %#x after %#x", i, b.Zxid, last)
		}
		last = b.Zxid
		if got := string(b.Changes[0].Data); got != fmt.Sprint(i) || b.Changes[0].Type != paddock.EventNodeDataChanged {
			t.Fatalf("batch %d: %v %q", i, b.Changes[0].Type, got)
		}
	}
	if z, ok := ws.LastZxid(); !ok || z < last {
		t.Fatalf("LastZxid %#x %v, want >= %#x", z, ok, last)
	}
	noErr(t, ws.Close())
	if _, err := ws.Next(ctx); !errors.Is(err, paddock.ErrWatchStreamClosed) {
		t.Fatalf("Next after Close: %v", err)
	}
}

// The connection goes half-open (the proxy holds both sockets open and forwards nothing, no FIN,
// no RST) while writes go on: the stream, with a 200ms progress interval, hears nothing for three
// intervals, gives the call up and reopens from its last zxid on a new connection. Without that
// watchdog Next waits forever on the frozen one and the 20s deadline fails the test.
func TestWatchStreamReopensAfterHalfOpenConnection(t *testing.T) {
	ctx := testCtx(t)
	writer := connect(t)
	r := root(t, writer)
	_, st, err := writer.Exists(ctx, r)
	noErr(t, err)
	px := testproxy.Start(t, srv.Addr)
	c := connectTo(t, px.Addr())
	from := st.Czxid
	ws, err := c.WatchStream(ctx, r, paddock.WatchStreamOptions{FromZxid: &from, WithData: true,
		ProgressInterval: 200 * time.Millisecond})
	noErr(t, err)
	defer ws.Close()
	_, err = writer.SetData(ctx, r, []byte("before"), paddock.AnyVersion)
	noErr(t, err)
	last, lines := nextBatch(t, ws)
	if strings.Join(lines, ",") != "NodeDataChanged "+r {
		t.Fatalf("first batch %v", lines)
	}

	px.Freeze()
	for i := 0; i < 5; i++ {
		_, err := writer.SetData(ctx, r, []byte(fmt.Sprint(i)), paddock.AnyVersion)
		noErr(t, err)
	}
	for i := 0; i < 5; i++ {
		nctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		b, err := ws.Next(nctx)
		cancel()
		noErr(t, err)
		if b.Zxid <= last || len(b.Changes) != 1 || string(b.Changes[0].Data) != fmt.Sprint(i) {
			t.Fatalf("batch %d after the freeze: %#x (last %#x) %+v", i, b.Zxid, last, b.Changes)
		}
		last = b.Zxid
	}
}

// A stream from now on one node (not recursive) with children events; a bad path and a
// negative buffer are refused with the path named.
func TestWatchStreamFromNowAndBadInput(t *testing.T) {
	ctx := testCtx(t)
	c := connect(t)
	r := root(t, c)
	ws, err := c.WatchStream(ctx, r, paddock.WatchStreamOptions{ChildrenEvents: true, ProgressInterval: 100 * time.Millisecond})
	noErr(t, err)
	defer ws.Close()
	// The stream may open after the next write: wait until the server told it where it starts.
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, ok := ws.LastZxid(); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no progress from the server within 20s")
		}
		time.Sleep(10 * time.Millisecond) // polling a state with a deadline, not synchronising on time
	}
	create(t, c, r+"/child-", nil, paddock.ModePersistentSequential)
	create(t, c, r+"/deep", nil, paddock.ModePersistent)
	create(t, c, r+"/deep/er", nil, paddock.ModePersistent) // below r: not delivered
	_, err = c.SetData(ctx, r, []byte("x"), paddock.AnyVersion)
	noErr(t, err)
	var got []string
	for len(got) < 3 {
		_, lines := nextBatch(t, ws)
		got = append(got, lines...)
	}
	want := []string{"NodeChildrenChanged " + r, "NodeChildrenChanged " + r, "NodeDataChanged " + r}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("got %v, want %v", got, want)
	}

	var pe *paddock.Error
	if _, err := c.WatchStream(ctx, "relative", paddock.WatchStreamOptions{}); !errors.As(err, &pe) || pe.Path != "relative" {
		t.Fatalf("relative path: %v", err)
	}
	if _, err := c.WatchStream(ctx, r, paddock.WatchStreamOptions{Buffer: -1}); !errors.As(err, &pe) || pe.Code != paddock.CodeBadArguments {
		t.Fatalf("negative buffer: %v", err)
	}
}

// A server with a small history (64 KiB) and durable data: a start older than the history fails
// with the oldest zxid, a stream from that zxid works, and it survives the server's restart.
func TestWatchStreamCompactedAndRestart(t *testing.T) {
	s, err := testserver.Start(append(fastSettings, "watchHistorySize=64")...)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := testCtx(t)
	c := connectTo(t, s.Addr, paddock.WithSessionTimeout(10*time.Second), paddock.WithBackoff(20*time.Millisecond, 200*time.Millisecond))
	create(t, c, "/old", nil, paddock.ModePersistent)
	_, st, err := c.Exists(ctx, "/old")
	noErr(t, err)
	start := st.Czxid
	big := make([]byte, 16<<10)
	for i := 0; i < 12; i++ {
		_, err := c.SetData(ctx, "/old", big, paddock.AnyVersion)
		noErr(t, err)
	}
	stale, err := c.WatchStream(ctx, "/old", paddock.WatchStreamOptions{FromZxid: &start})
	noErr(t, err)
	_, err = stale.Next(ctx)
	var ce *paddock.WatchCompactedError
	if !errors.As(err, &ce) || ce.OldestZxid <= start || ce.Path != "/old" {
		t.Fatalf("stale start: %v", err)
	}
	noErr(t, stale.Close())

	oldest := ce.OldestZxid
	ws, err := c.WatchStream(ctx, "/old", paddock.WatchStreamOptions{FromZxid: &oldest})
	noErr(t, err)
	defer ws.Close()
	zxid, _ := nextBatch(t, ws)
	if zxid <= oldest {
		t.Fatalf("first batch %#x not after oldest %#x", zxid, oldest)
	}
	// Drain what the history still holds, up to the last write.
	_, st, err = c.Exists(ctx, "/old")
	noErr(t, err)
	for zxid < st.Mzxid {
		zxid, _ = nextBatch(t, ws)
	}

	noErr(t, s.Restart())
	other := connectTo(t, s.Addr)
	_, err = other.SetData(ctx, "/old", []byte("after"), paddock.AnyVersion)
	noErr(t, err)
	after, lines := nextBatch(t, ws)
	if after <= zxid || strings.Join(lines, ",") != "NodeDataChanged /old" {
		t.Fatalf("after restart: %#x %v (last before %#x)", after, lines, zxid)
	}
}
