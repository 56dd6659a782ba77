package recipes_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/paddock-dev/paddock/clients/go/recipes"
)

// A Lock value that holds the lock takes it again at once (one more hold, the same node); the
// node goes only with the last Unlock, and only then does another contender acquire.
func TestLockIsReentrantPerLockValue(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	path := fmt.Sprintf("/locks/reentrant-%d", time.Now().UnixNano())
	a := recipes.NewLock(connect(t), path, nil)
	other := connect(t)
	b := recipes.NewLock(other, path, nil)
	if err := a.Lock(ctx); err != nil {
		t.Fatal(err)
	}
	node := a.Node()
	if err := a.Lock(ctx); err != nil || a.HoldCount() != 2 || a.Node() != node {
		t.Fatalf("second Lock: err %v, holds %d, node %s (was %s)", err, a.HoldCount(), a.Node(), node)
	}
	acquired := make(chan error, 1)
	go func() { acquired <- b.Lock(ctx) }()
	// b's contender node is there (it waits behind a's) before a releases anything.
	for {
		children, _, err := other.GetChildren(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if len(children) == 2 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("b's contender node never appeared: %v", children)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := a.Unlock(ctx); err != nil || a.HoldCount() != 1 {
		t.Fatalf("first Unlock: err %v, holds %d", err, a.HoldCount())
	}
	if ok, _, err := other.Exists(ctx, node); err != nil || !ok {
		t.Fatalf("the node must survive the first of two Unlocks: exists %v, err %v", ok, err)
	}
	select {
	case err := <-acquired:
		t.Fatalf("b acquired while a still held one hold: %v", err)
	default:
	}
	if err := a.Unlock(ctx); err != nil || a.HoldCount() != 0 || a.Node() != "" {
		t.Fatalf("last Unlock: err %v, holds %d, node %q", err, a.HoldCount(), a.Node())
	}
	if err := <-acquired; err != nil {
		t.Fatalf("b after a's last Unlock: %v", err)
	}
	if ok, _, err := other.Exists(ctx, node); err != nil || ok {
		t.Fatalf("a's node after its last Unlock: exists %v, err %v", ok, err)
	}
	if err := a.Unlock(ctx); err == nil {
		t.Fatal("Unlock of a lock not held must fail")
	}
	if err := b.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
}
