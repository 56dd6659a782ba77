package recipes_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
	"github.com/paddock-dev/paddock/clients/go/internal/testproxy"
	"github.com/paddock-dev/paddock/clients/go/recipes"
)

// cutSessionTimeout is short so the tests reach expiry soon, and long enough that the holder
// is told Suspended well before it on a busy two-core machine.
const cutSessionTimeout = 2 * time.Second

// connectVia connects through a proxy the test can cut.
func connectVia(t *testing.T, p *testproxy.Proxy) *paddock.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := paddock.Connect(ctx, []string{p.Addr()}, paddock.WithSessionTimeout(cutSessionTimeout),
		paddock.WithBackoff(20*time.Millisecond, 200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

func nextEvent(ctx context.Context, t *testing.T, events <-chan recipes.ConnectionEvent) recipes.ConnectionEvent {
	t.Helper()
	select {
	case e, ok := <-events:
		if !ok {
			t.Fatal("events closed")
		}
		return e
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	return 0
}

// holderCutOff checks the sequence every holding recipe follows when its connection is cut: the
// holder is told Suspended while its node still exists (before expiry), the next contender gets
// its turn (taken, a channel that yields once it has it) only after the session expired, and
// Lost arrives when the holder is back and learns of the expiry.
func holderCutOff(ctx context.Context, t *testing.T, p *testproxy.Proxy, observer *paddock.Client, node string,
	events <-chan recipes.ConnectionEvent, taken <-chan error,
) {
	t.Helper()
	p.Pause()
	if e := nextEvent(ctx, t, events); e != recipes.Suspended {
		t.Fatalf("first event %v, want Suspended", e)
	}
	if ok, _, err := observer.Exists(ctx, node); err != nil || !ok {
		t.Fatalf("holder's node %s at Suspended: exists=%v err=%v (want it still there)", node, ok, err)
	}
	select {
	case err := <-taken:
		t.Fatalf("the next contender went ahead before the holder's session expired (err %v)", err)
	default:
	}
	if err := <-taken; err != nil {
		t.Fatal(err)
	}
	if ok, _, err := observer.Exists(ctx, node); err != nil || ok {
		t.Fatalf("the next contender went ahead while %s exists (err %v)", node, err)
	}
	p.Resume()
	if e := nextEvent(ctx, t, events); e != recipes.Lost {
		t.Fatalf("second event %v, want Lost", e)
	}
	select {
	case e, ok := <-events:
		if ok {
			t.Fatalf("event %v after Lost", e)
		}
	case <-ctx.Done():
		t.Fatal("events not closed after Lost")
	}
}

func TestLockHolderCutOffIsSuspendedThenLost(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p := testproxy.Start(t, srv.Addr)
	holderClient, waiterClient := connectVia(t, p), connect(t)
	path := fmt.Sprintf("/locks/cut-%d", time.Now().UnixNano())
	holder := recipes.NewLock(holderClient, path, nil)
	if err := holder.Lock(ctx); err != nil {
		t.Fatal(err)
	}
	if holder.FencingToken() <= 0 || holder.Sequence() < 0 || !holder.Held() {
		t.Fatalf("token %d sequence %d held %v after Lock", holder.FencingToken(), holder.Sequence(), holder.Held())
	}
	waiter := recipes.NewLock(waiterClient, path, nil)
	taken := make(chan error, 1)
	go func() { taken <- waiter.Lock(ctx) }()
	waitChildren(t, ctx, path, 2)
	holderCutOff(ctx, t, p, waiterClient, holder.Node(), holder.Events(), taken)
	if holder.Held() {
		t.Fatal("Held after Lost")
	}
	if waiter.Sequence() <= holder.Sequence() {
		t.Fatalf("next holder's sequence %d is not above the lost holder's %d", waiter.Sequence(), holder.Sequence())
	}
	if waiter.FencingToken() <= holder.FencingToken() {
		t.Fatalf("next holder's token %d is not above the lost holder's %d", waiter.FencingToken(), holder.FencingToken())
	}
	if err := holder.Unlock(ctx); err != nil {
		t.Fatalf("Unlock after Lost: %v", err)
	}
	if err := waiter.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestLeaderCutOffIsSuspendedThenLost(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p := testproxy.Start(t, srv.Addr)
	leaderClient, nextClient := connectVia(t, p), connect(t)
	path := fmt.Sprintf("/election/cut-%d", time.Now().UnixNano())
	leader := recipes.NewLeaderElection(leaderClient, path, []byte("cut"))
	if err := leader.Campaign(ctx); err != nil {
		t.Fatal(err)
	}
	next := recipes.NewLeaderElection(nextClient, path, []byte("next"))
	taken := make(chan error, 1)
	go func() { taken <- next.Campaign(ctx) }()
	waitChildren(t, ctx, path, 2)
	kids, _, err := nextClient.GetChildren(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	node := ""
	for _, k := range kids {
		if data, _, err := nextClient.GetData(ctx, path+"/"+k); err == nil && string(data) == "cut" {
			node = path + "/" + k
		}
	}
	events := leader.Events()
	p.Pause()
	if e := nextEvent(ctx, t, events); e != recipes.Suspended || leader.IsLeader() {
		t.Fatalf("first event %v, IsLeader %v: want Suspended and no longer leading", e, leader.IsLeader())
	}
	p.Resume()
	// Back before expiry: the same session resumed, leadership intact.
	if e := nextEvent(ctx, t, events); e != recipes.Reconnected {
		t.Fatalf("event %v after resume, want Reconnected", e)
	}
	if !leader.IsLeader() {
		t.Fatal("not leading after Reconnected")
	}
	holderCutOff(ctx, t, p, nextClient, node, events, taken)
	if leader.IsLeader() || !next.IsLeader() {
		t.Fatalf("after Lost: cut IsLeader %v, next IsLeader %v", leader.IsLeader(), next.IsLeader())
	}
	if err := next.Resign(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestMemberCutOffIsSuspendedThenLost(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p := testproxy.Start(t, srv.Addr)
	memberClient, observer := connectVia(t, p), connect(t)
	path := fmt.Sprintf("/group/cut-%d", time.Now().UnixNano())
	m := recipes.NewGroupMember(memberClient, path, "cut", []byte("x"))
	if err := m.Join(ctx); err != nil {
		t.Fatal(err)
	}
	// The observer's turn: the member leaving the group's view.
	gone := make(chan error, 1)
	go func() {
		for {
			view, changed, err := recipes.NewGroupMember(observer, path, "observer", nil).MembersW(ctx)
			if err != nil {
				gone <- err
				return
			}
			if _, ok := view["cut"]; !ok {
				gone <- nil
				return
			}
			select {
			case <-changed:
			case <-ctx.Done():
				gone <- ctx.Err()
				return
			}
		}
	}()
	holderCutOff(ctx, t, p, observer, path+"/cut", m.Events(), gone)
	if err := m.Leave(ctx); err != nil {
		t.Fatalf("Leave after Lost: %v", err)
	}
}
