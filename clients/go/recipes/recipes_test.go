package recipes_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
	"github.com/paddock-dev/paddock/clients/go/internal/testserver"
	"github.com/paddock-dev/paddock/clients/go/recipes"
)

var srv *testserver.Server

func TestMain(m *testing.M) {
	s, err := testserver.Start("tickTime=200", "minSessionTimeout=400")
	if err != nil {
		fmt.Fprintln(os.Stderr, "TestMain:", err)
		os.Exit(1)
	}
	srv = s
	code := m.Run()
	s.Close()
	os.Exit(code)
}

func connect(t *testing.T) *paddock.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := paddock.Connect(ctx, []string{srv.Addr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// Several clients, each in its own session, take the lock repeatedly: at most one holds it at
// any time, and the holder's node is the lowest contender on the server.
func TestLockMutualExclusion(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	const clients, rounds = 5, 4
	const path = "/locks/mutex"
	var holders, maxHolders, acquired atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := 0; i < clients; i++ {
		c := connect(t)
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				l := recipes.NewLock(c, path, nil).WithData([]byte(fmt.Sprint(id)))
				if err := l.Lock(ctx); err != nil {
					errs <- fmt.Errorf("client %d lock: %w", id, err)
					return
				}
				h := holders.Add(1)
				for {
					m := maxHolders.Load()
					if h <= m || maxHolders.CompareAndSwap(m, h) {
						break
					}
				}
				kids, _, err := c.GetChildren(ctx, path)
				if err == nil && recipesLowest(kids) != l.Node()[len(path)+1:] {
					err = fmt.Errorf("holder %s is not the lowest of %v", l.Node(), kids)
				}
				holders.Add(-1)
				acquired.Add(1)
				if err == nil {
					err = l.Unlock(ctx)
				}
				if err != nil {
					errs <- fmt.Errorf("client %d: %w", id, err)
					return
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if maxHolders.Load() != 1 || acquired.Load() != clients*rounds {
		t.Fatalf("max simultaneous holders %d (want 1), acquisitions %d (want %d)", maxHolders.Load(), acquired.Load(), clients*rounds)
	}
}

func recipesLowest(kids []string) string {
	best, bestSeq := "", int64(-1)
	for _, k := range kids {
		if s, ok := recipes.Sequence(k); ok && (bestSeq < 0 || s < bestSeq) {
			best, bestSeq = k, s
		}
	}
	return best
}

// A waiter gets the lock when the holder's session closes (its ephemeral node vanishes).
func TestLockPassesOnHolderClose(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	holder, waiter := connect(t), connect(t)
	const path = "/locks/handover"
	l1 := recipes.NewLock(holder, path, nil)
	if err := l1.Lock(ctx); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	l2 := recipes.NewLock(waiter, path, nil)
	go func() { got <- l2.Lock(ctx) }()
	// The waiter's node appears behind the holder's before we close the holder.
	for {
		kids, _, changed, err := holder.GetChildrenW(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if len(kids) == 2 {
			break
		}
		select {
		case err := <-got:
			t.Fatalf("waiter returned while the lock was held: %v", err)
		case <-changed:
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		}
	}
	if err := holder.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiter: %v", err)
	}
	if err := l2.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
}

// Lock gives up on ctx and leaves no contender node behind.
func TestLockContextCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a, b := connect(t), connect(t)
	const path = "/locks/cancel"
	la := recipes.NewLock(a, path, nil)
	if err := la.Lock(ctx); err != nil {
		t.Fatal(err)
	}
	short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancelShort()
	if err := recipes.NewLock(b, path, nil).Lock(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock with expiring ctx: %v", err)
	}
	kids, _, err := a.GetChildren(ctx, path)
	if err != nil || len(kids) != 1 {
		t.Fatalf("contenders after the cancelled Lock: %v %v", kids, err)
	}
}

func TestLeaderElection(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const path = "/election/e1"
	a, b := connect(t), connect(t)
	ea := recipes.NewLeaderElection(a, path, []byte("alpha"))
	eb := recipes.NewLeaderElection(b, path, []byte("beta"))
	if err := ea.Campaign(ctx); err != nil {
		t.Fatal(err)
	}
	won := make(chan error, 1)
	go func() { won <- eb.Campaign(ctx) }()
	if id, err := recipes.Leader(ctx, b, path); err != nil || string(id) != "alpha" {
		t.Fatalf("Leader = %q %v, want alpha", id, err)
	}
	if err := ea.Resign(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-won; err != nil || !eb.IsLeader() || ea.IsLeader() {
		t.Fatalf("beta's campaign: %v (leader %v, alpha %v)", err, eb.IsLeader(), ea.IsLeader())
	}
	if id, err := recipes.Leader(ctx, a, path); err != nil || string(id) != "beta" {
		t.Fatalf("Leader = %q %v, want beta", id, err)
	}
	if err := eb.Resign(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := recipes.Leader(ctx, a, path); !errors.Is(err, paddock.ErrNoNode) {
		t.Fatalf("Leader with no candidate: %v, want NoNode", err)
	}
}
