package paddock_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
	"github.com/paddock-dev/paddock/clients/go/internal/testproxy"
	"github.com/paddock-dev/paddock/clients/go/recipes"
)

// A state subscriber sees the same changes as States() without taking them from its reader.
func TestSubscribeStatesSeesWhatStatesSees(t *testing.T) {
	px := testproxy.Start(t, srv.Addr)
	c := connectTo(t, px.Addr(), paddock.WithBackoff(10*time.Millisecond, 100*time.Millisecond))
	sub, cancel := c.SubscribeStates()
	defer cancel()
	px.Pause()
	waitState(t, c, paddock.StateDisconnected, 10*time.Second)
	px.Resume()
	waitState(t, c, paddock.StateConnected, 10*time.Second)
	for _, want := range []paddock.State{paddock.StateDisconnected, paddock.StateConnected} {
		select {
		case got := <-sub:
			if got != want {
				t.Fatalf("subscriber got %v, want %v", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("subscriber never got %v", want)
		}
	}
	cancel()
	if _, open := <-sub; open {
		t.Fatal("the subscription is open after cancel")
	}
}

// The tree cache follows the subtree, and after a disconnection reads again what it missed.
func TestTreeCacheFollowsAndRereadsAfterReconnect(t *testing.T) {
	ctx := testCtx(t)
	other := connect(t)
	r := root(t, other)
	create(t, other, r+"/x", []byte("0"), paddock.ModePersistent)
	create(t, other, r+"/y", []byte("0"), paddock.ModePersistent)
	px := testproxy.Start(t, srv.Addr)
	c := connectTo(t, px.Addr(), paddock.WithSessionTimeout(10*time.Second),
		paddock.WithBackoff(10*time.Millisecond, 100*time.Millisecond))
	cache := recipes.NewTreeCache(c, r, nil)
	noErr(t, cache.Start(ctx))
	defer func() { _ = cache.Close(context.Background()) }()
	want := func(tree map[string]string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			got := map[string]string{}
			for p, d := range cache.Current() {
				got[p] = string(d)
			}
			if fmt.Sprint(got) == fmt.Sprint(tree) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("cache = %v, want %v", got, tree)
			}
			time.Sleep(10 * time.Millisecond) // polling a condition, bounded by the deadline
		}
	}
	want(map[string]string{r: "", r + "/x": "0", r + "/y": "0"})
	create(t, other, r+"/x/k", []byte("kid"), paddock.ModePersistent)
	_, err := other.SetData(ctx, r+"/y", []byte("1"), paddock.AnyVersion)
	noErr(t, err)
	want(map[string]string{r: "", r + "/x": "0", r + "/x/k": "kid", r + "/y": "1"})
	px.Pause()
	waitState(t, c, paddock.StateDisconnected, 10*time.Second)
	noErr(t, other.Delete(ctx, r+"/x/k", paddock.AnyVersion))
	_, err = other.SetData(ctx, r+"/x", []byte("2"), paddock.AnyVersion)
	noErr(t, err)
	create(t, other, r+"/z", []byte("new"), paddock.ModePersistent)
	px.Resume()
	want(map[string]string{r: "", r + "/x": "2", r + "/y": "1", r + "/z": "new"})
}
