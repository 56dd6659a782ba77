package paddock_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
	"github.com/paddock-dev/paddock/clients/go/internal/testserver"
)

// Server settings for the shared server: fast expiry (sessions of 400ms..4s) and TTL nodes.
var fastSettings = []string{"tickTime=200", "minSessionTimeout=400", "extendedTypesEnabled=true"}

var srv *testserver.Server

// rootSeq keeps test roots distinct when a test runs more than once on one server (-count).
var rootSeq atomic.Int64

func TestMain(m *testing.M) {
	s, err := testserver.Start(fastSettings...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "TestMain:", err)
		os.Exit(1)
	}
	srv = s
	code := m.Run()
	s.Close()
	os.Exit(code)
}

// testCtx bounds a whole test; every wait in these tests is a deadline, never a sleep.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func connect(t *testing.T, opts ...paddock.Option) *paddock.Client {
	t.Helper()
	return connectTo(t, srv.Addr, opts...)
}

func connectTo(t *testing.T, addr string, opts ...paddock.Option) *paddock.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := paddock.Connect(ctx, []string{addr}, opts...)
	if err != nil {
		t.Fatalf("Connect(%s): %v", addr, err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// root returns a fresh persistent node named after the test.
func root(t *testing.T, c *paddock.Client) string {
	t.Helper()
	p := fmt.Sprintf("/%s-%d", strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()), rootSeq.Add(1))
	if _, err := c.Create(testCtx(t), p, nil, paddock.ModePersistent, nil); err != nil {
		t.Fatalf("create %s: %v", p, err)
	}
	return p
}

func create(t *testing.T, c *paddock.Client, path string, data []byte, mode paddock.CreateMode) string {
	t.Helper()
	p, err := c.Create(testCtx(t), path, data, mode, nil)
	if err != nil {
		t.Fatalf("create %s: %v", path, err)
	}
	return p
}

func existsW(t *testing.T, c *paddock.Client, path string) (bool, <-chan paddock.Event) {
	t.Helper()
	ok, _, ch, err := c.ExistsW(testCtx(t), path)
	if err != nil {
		t.Fatalf("ExistsW %s: %v", path, err)
	}
	return ok, ch
}

func getDataW(t *testing.T, c *paddock.Client, path string) <-chan paddock.Event {
	t.Helper()
	_, _, ch, err := c.GetDataW(testCtx(t), path)
	if err != nil {
		t.Fatalf("GetDataW %s: %v", path, err)
	}
	return ch
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// nextEvent waits for one event on ch with a deadline.
func nextEvent(t *testing.T, ch <-chan paddock.Event) paddock.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("watch channel closed without an event")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no watch event within 10s")
	}
	return paddock.Event{}
}

// waitState waits for state s on the client's States channel.
func waitState(t *testing.T, c *paddock.Client, s paddock.State, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case got, ok := <-c.States():
			if !ok {
				if c.State() == s {
					return
				}
				t.Fatalf("States closed in %v while waiting for %v", c.State(), s)
			}
			if got == s {
				return
			}
		case <-deadline:
			t.Fatalf("state %v not reached within %v (now %v)", s, within, c.State())
		}
	}
}
