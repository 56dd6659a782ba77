package paddock_test

import (
	"errors"
	"testing"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
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
