package recipes_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paddock-dev/paddock/clients/go/internal/testproxy"
	"github.com/paddock-dev/paddock/clients/go/recipes"
)

// leadership is a TakeLeadership the test ends by hand: started yields each turn's token.
type leadership struct {
	started chan int64
	release chan struct{}
}

func newLeadership() *leadership {
	return &leadership{started: make(chan int64, 4), release: make(chan struct{}, 4)}
}

func (l *leadership) take(ctx context.Context, token int64) error {
	l.started <- token
	select {
	case <-l.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func waitToken(ctx context.Context, t *testing.T, ch <-chan int64) int64 {
	t.Helper()
	select {
	case tok := <-ch:
		return tok
	case <-ctx.Done():
		t.Fatal("no leadership before the deadline")
	}
	return 0
}

func TestLeaderSelectorHandsOverWhenTheCallbackReturns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	path := fmt.Sprintf("/selector/handoff-%d", time.Now().UnixNano())
	la, lb := newLeadership(), newLeadership()
	a := recipes.NewLeaderSelector(connect(t), path, []byte("a"), la.take)
	a.Start()
	tokA := waitToken(ctx, t, la.started)
	b := recipes.NewLeaderSelector(connect(t), path, []byte("b"), lb.take)
	b.Start()
	waitChildren(t, ctx, path, 2)
	got, err := b.Participants(ctx)
	if err != nil || fmt.Sprint(got) != "[{a true} {b false}]" {
		t.Fatalf("participants %v %v, want a leading, b queued", got, err)
	}
	if !a.HasLeadership() || b.HasLeadership() {
		t.Fatalf("HasLeadership a %v b %v", a.HasLeadership(), b.HasLeadership())
	}
	kids, _, err := connect(t).GetChildren(ctx, path)
	if err != nil || len(kids) != 2 || !strings.HasPrefix(kids[0], "_c_") || !strings.Contains(kids[0], "-lock-") {
		t.Fatalf("children %v %v, want Curator's _c_<uuid>-lock-<seq>", kids, err)
	}
	la.release <- struct{}{}
	tokB := waitToken(ctx, t, lb.started)
	if tokB <= tokA || !b.HasLeadership() {
		t.Fatalf("b's token %d (a's %d), b leading %v", tokB, tokA, b.HasLeadership())
	}
	// Without AutoRequeue, a participant whose callback returned has left the queue.
	if got, err := b.Participants(ctx); err != nil || fmt.Sprint(got) != "[{b true}]" {
		t.Fatalf("participants %v %v, want b alone", got, err)
	}
	lb.release <- struct{}{}
	a.Close()
	b.Close()
	if kids, _, err := connect(t).GetChildren(ctx, path); err != nil || len(kids) != 0 {
		t.Fatalf("children after close %v %v", kids, err)
	}
}

func TestLeaderSelectorAutoRequeueTakesTurns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	path := fmt.Sprintf("/selector/requeue-%d", time.Now().UnixNano())
	var mu sync.Mutex
	var turns []string
	observer := connect(t)
	take := func(id string) recipes.TakeLeadership {
		return func(ctx context.Context, _ int64) error {
			mu.Lock()
			turns = append(turns, id)
			mu.Unlock()
			// Lead until the other participant is queued, so turns must alternate.
			for {
				kids, _, changed, err := observer.GetChildrenW(ctx, path)
				if err != nil || len(kids) >= 2 {
					return err
				}
				select {
				case <-changed:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		}
	}
	a := recipes.NewLeaderSelector(connect(t), path, []byte("a"), take("a")).AutoRequeue()
	b := recipes.NewLeaderSelector(connect(t), path, []byte("b"), take("b")).AutoRequeue()
	a.Start()
	b.Start()
	pollUntil(ctx, t, "six turns", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(turns) >= 6
	})
	a.Close()
	b.Close()
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < 6; i++ {
		if turns[i] == turns[i-1] {
			t.Fatalf("turns %v: %s led twice in a row", turns, turns[i])
		}
	}
	if f := append(a.Failures(), b.Failures()...); len(f) != 0 {
		t.Fatalf("failures %v", f)
	}
}

func TestLeaderSelectorRequeueQueuesOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	l := newLeadership()
	s := recipes.NewLeaderSelector(connect(t), fmt.Sprintf("/selector/once-%d", time.Now().UnixNano()), nil, l.take)
	if !s.Requeue() || s.Requeue() {
		t.Fatal("Requeue: want true, then false while queued")
	}
	waitToken(ctx, t, l.started)
	l.release <- struct{}{}
	// Requeue is true again once the first turn is over and the participant left the queue.
	pollUntil(ctx, t, "the first turn to end", s.Requeue)
	waitToken(ctx, t, l.started)
	s.Close()
}

func TestLeaderSelectorCutOffIsCancelledThenLost(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p := testproxy.Start(t, srv.Addr)
	cutClient, nextClient := connectVia(t, p), connect(t)
	path := fmt.Sprintf("/selector/cut-%d", time.Now().UnixNano())
	causes := make(chan error, 1)
	leading := make(chan struct{})
	cut := recipes.NewLeaderSelector(cutClient, path, []byte("cut"), func(ctx context.Context, _ int64) error {
		close(leading)
		<-ctx.Done()
		causes <- context.Cause(ctx)
		return ctx.Err()
	})
	cut.Start()
	<-leading
	ln := newLeadership()
	next := recipes.NewLeaderSelector(nextClient, path, []byte("next"), ln.take)
	next.Start()
	waitChildren(t, ctx, path, 2)
	p.Pause()
	if e := nextEvent(ctx, t, cut.Events()); e != recipes.Suspended {
		t.Fatalf("first event %v, want Suspended", e)
	}
	if cause := <-causes; cause == nil || !strings.Contains(cause.Error(), "suspended") {
		t.Fatalf("callback cancelled with %v, want the suspension", cause)
	}
	if cut.HasLeadership() {
		t.Fatal("still leading after Suspended")
	}
	// The next participant leads only once the cut session expired and its node went with it.
	waitToken(ctx, t, ln.started)
	if got, err := next.Participants(ctx); err != nil || fmt.Sprint(got) != "[{next true}]" {
		t.Fatalf("participants %v %v, want next alone", got, err)
	}
	p.Resume()
	if e := nextEvent(ctx, t, cut.Events()); e != recipes.Lost {
		t.Fatalf("second event %v, want Lost", e)
	}
	ln.release <- struct{}{}
	next.Close()
	cut.Close()
	if f := cut.Failures(); len(f) != 0 {
		t.Fatalf("failures %v", f)
	}
}

// pollUntil checks cond every 10 ms until it holds or ctx ends.
func pollUntil(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
