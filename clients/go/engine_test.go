package paddock_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// waitFor polls cond with a deadline (for client-internal counters that have no channel).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// Requests issued while the writer is busy all leave in one envelope.
func TestConcurrentRequestsShareOneEnvelope(t *testing.T) {
	ctx := testCtx(t)
	c := connect(t)
	r := root(t, c)
	release, err := paddock.FreezeWriter(c)
	noErr(t, err)
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Create(ctx, fmt.Sprintf("%s/n%d", r, i), nil, paddock.ModePersistent, nil)
			errs <- err
		}()
	}
	waitFor(t, "all requests queued", func() bool { return paddock.Queued(c) == n })
	env0, req0, _ := paddock.WriterStats(c)
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		noErr(t, err)
	}
	env1, req1, _ := paddock.WriterStats(c)
	if req1-req0 < n || env1-env0 != 1 {
		t.Fatalf("%d requests went in %d envelopes, want %d in 1", req1-req0, env1-env0, n)
	}
	kids, _, err := c.GetChildren(ctx, r)
	if err != nil || len(kids) != n {
		t.Fatalf("%d children, %v", len(kids), err)
	}
}

func TestQueueFullIsAnError(t *testing.T) {
	ctx := testCtx(t)
	c := connect(t, paddock.WithMaxQueuedRequests(1))
	release, err := paddock.FreezeWriter(c)
	noErr(t, err)
	done := make(chan error, 1)
	go func() { _, err := c.Sync(ctx, "/"); done <- err }()
	waitFor(t, "one queued request", func() bool { return paddock.Queued(c) == 1 })
	if _, err := c.Sync(ctx, "/"); !errors.Is(err, paddock.ErrQueueFull) {
		t.Fatalf("second request: %v, want ErrQueueFull", err)
	}
	release()
	noErr(t, <-done)
}

// Heartbeats keep an idle session alive well past its timeout.
func TestHeartbeatsKeepTheSessionAlive(t *testing.T) {
	ctx := testCtx(t)
	c := connect(t, paddock.WithSessionTimeout(400*time.Millisecond))
	p := create(t, c, "/"+t.Name(), nil, paddock.ModeEphemeral)
	_, _, pings0 := paddock.WriterStats(c)
	// Six pings at timeout/3 span two session timeouts of idleness.
	waitFor(t, "six pings", func() bool { _, _, p := paddock.WriterStats(c); return p >= pings0+6 })
	if c.State() != paddock.StateConnected {
		t.Fatalf("state %v after idling", c.State())
	}
	if ok, st, err := c.Exists(ctx, p); err != nil || !ok || st.EphemeralOwner != c.SessionID() {
		t.Fatalf("ephemeral after idling: %v %+v %v", ok, st, err)
	}
}

func TestContextCancelAndDeadline(t *testing.T) {
	c := connect(t)
	release, err := paddock.FreezeWriter(c)
	noErr(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, _, err := c.GetData(ctx, "/"); done <- err }()
	waitFor(t, "queued", func() bool { return paddock.Queued(c) == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled call: %v", err)
	}
	release()
	// The abandoned request is dropped; the client goes on.
	if _, err := c.Sync(testCtx(t), "/"); err != nil {
		t.Fatal(err)
	}
}
