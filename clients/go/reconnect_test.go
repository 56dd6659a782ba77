package paddock_test

import (
	"errors"
	"testing"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
	"github.com/paddock-dev/paddock/clients/go/internal/testproxy"
	"github.com/paddock-dev/paddock/clients/go/internal/testserver"
)

// The server restarts on the same port. With an in-memory tree the session is gone, so the
// client must report Disconnected then Expired, and a new Connect must work; with durable data
// the session resumes (Connected again) and the watch set before the restart still works.
func TestReconnectAfterServerRestart(t *testing.T) {
	s, err := testserver.Start(fastSettings...)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := testCtx(t)
	c := connectTo(t, s.Addr, paddock.WithSessionTimeout(4*time.Second), paddock.WithBackoff(20*time.Millisecond, 200*time.Millisecond))
	create(t, c, "/survivor", []byte("x"), paddock.ModePersistent)
	watch := getDataW(t, c, "/survivor")

	noErr(t, s.Restart())
	waitState(t, c, paddock.StateDisconnected, 20*time.Second)

	var final paddock.State
	deadline := time.After(30 * time.Second)
	for final == 0 {
		select {
		case st := <-c.States():
			if st == paddock.StateConnected || st == paddock.StateExpired {
				final = st
			}
		case <-deadline:
			t.Fatalf("neither resumed nor expired within 30s (state %v)", c.State())
		}
	}
	switch final {
	case paddock.StateExpired:
		t.Log("in-memory server: session expired on restart, as expected")
		if _, _, err := c.Exists(ctx, "/"); !errors.Is(err, paddock.ErrSessionExpired) {
			t.Fatalf("call on expired client: %v", err)
		}
		if ev := nextEvent(t, watch); ev.Type != paddock.EventNotWatching || !errors.Is(ev.Err, paddock.ErrSessionExpired) {
			t.Fatalf("watch after expiry: %+v", ev)
		}
		fresh := connectTo(t, s.Addr)
		if _, err := fresh.Create(ctx, "/after-restart", nil, paddock.ModePersistent, nil); err != nil {
			t.Fatalf("new session after restart: %v", err)
		}
	case paddock.StateConnected:
		t.Log("durable server: session resumed")
		other := connectTo(t, s.Addr)
		if _, err := other.SetData(ctx, "/survivor", []byte("y"), paddock.AnyVersion); err != nil {
			t.Fatal(err)
		}
		if ev := nextEvent(t, watch); ev.Type != paddock.EventNodeDataChanged {
			t.Fatalf("re-registered watch got %+v", ev)
		}
	}
}

// The connection breaks while the server keeps running: the client resumes the same session on
// a new stream, re-sends its credentials and watches (SetWatches with its last zxid), and the
// server fires at once the watch whose node changed while the client was away.
func TestResumeAfterConnectionLoss(t *testing.T) {
	ctx := testCtx(t)
	px := testproxy.Start(t, srv.Addr)
	c := connectTo(t, px.Addr(), paddock.WithSessionTimeout(4*time.Second),
		paddock.WithBackoff(10*time.Millisecond, 100*time.Millisecond))
	other := connect(t)
	r := root(t, other)
	noErr(t, c.AddAuth(ctx, "digest", []byte("carol:pw")))
	secret, err := c.Create(ctx, r+"/secret", []byte("s"), paddock.ModePersistent, paddock.DigestACL(paddock.PermAll, "carol", "pw"))
	noErr(t, err)
	eph := create(t, c, r+"/eph", nil, paddock.ModeEphemeral)
	node := create(t, c, r+"/node", []byte("a"), paddock.ModePersistent)
	missed := getDataW(t, c, node)
	persistent, err := c.AddWatch(ctx, r, paddock.AddWatchPersistentRecursive)
	noErr(t, err)
	sid := c.SessionID()

	px.Pause()
	waitState(t, c, paddock.StateDisconnected, 10*time.Second)
	_, err = other.SetData(ctx, node, []byte("b"), paddock.AnyVersion)
	noErr(t, err)
	px.Resume()
	waitState(t, c, paddock.StateConnected, 10*time.Second)

	if c.SessionID() != sid {
		t.Fatalf("session changed from %x to %x", sid, c.SessionID())
	}
	if ev := nextEvent(t, missed); ev.Type != paddock.EventNodeDataChanged || ev.Path != node {
		t.Fatalf("missed change: %+v, want NodeDataChanged %s", ev, node)
	}
	// The replayed event also reaches the recursive watch on an ancestor (the client routes an
	// event to every matching watcher, as ZooKeeper's client does).
	if ev := nextEvent(t, persistent); ev.Type != paddock.EventNodeDataChanged || ev.Path != node {
		t.Fatalf("persistent watch after resume: %+v, want the missed NodeDataChanged", ev)
	}
	_, err = other.SetData(ctx, node, []byte("c"), paddock.AnyVersion)
	noErr(t, err)
	if ev := nextEvent(t, persistent); ev.Type != paddock.EventNodeDataChanged || ev.Path != node {
		t.Fatalf("persistent watch after resume: %+v", ev)
	}
	if ok, st, err := other.Exists(ctx, eph); err != nil || !ok || st.EphemeralOwner != sid {
		t.Fatalf("ephemeral after resume: %v %+v %v", ok, st, err)
	}
	if data, _, err := c.GetData(ctx, secret); err != nil || string(data) != "s" {
		t.Fatalf("credentials not re-applied on resume: %q %v", data, err)
	}
}
