package paddock

import (
	"errors"
	"testing"
	"time"

	"github.com/paddock-dev/paddock/clients/go/internal/pb"
)

func wireChanges(zxid int64, fragment bool, paths ...string) *pb.WatchChanges {
	m := &pb.WatchChanges{Zxid: zxid, Fragment: fragment}
	for _, p := range paths {
		m.Changes = append(m.Changes, &pb.WatchChange{Type: pb.EventType_EVENT_TYPE_NODE_CREATED, Path: p})
	}
	return m
}

// A transaction in three fragments comes out once, whole, after its last message; the next
// transaction starts afresh.
func TestFragmentJoinJoinsOneTransaction(t *testing.T) {
	j := fragmentJoin{path: "/w"}
	for _, m := range []*pb.WatchChanges{wireChanges(7, true, "/w/a", "/w/b"), wireChanges(7, true, "/w/c")} {
		if b, err := j.add(m, 6, true); b != nil || err != nil {
			t.Fatalf("fragment: %v %v", b, err)
		}
	}
	b, err := j.add(wireChanges(7, false, "/w/d"), 6, true)
	if err != nil || b == nil || b.Zxid != 7 || len(b.Changes) != 4 || b.Changes[3].Path != "/w/d" {
		t.Fatalf("joined: %+v %v", b, err)
	}
	if b, err := j.add(wireChanges(8, false, "/w/e"), 7, true); err != nil || len(b.Changes) != 1 {
		t.Fatalf("next: %+v %v", b, err)
	}
}

// Fragments cut by another zxid or by progress, and a repeated zxid, are the server's bugs:
// a system error naming the path.
func TestFragmentJoinRefusesBrokenSequences(t *testing.T) {
	var pe *Error
	j := fragmentJoin{path: "/w"}
	_, _ = j.add(wireChanges(7, true, "/w/a"), 6, true)
	if _, err := j.add(wireChanges(8, false, "/w/b"), 6, true); !errors.As(err, &pe) || pe.Code != CodeSystemError || pe.Path != "/w" {
		t.Fatalf("other zxid: %v", err)
	}
	j = fragmentJoin{path: "/w"}
	_, _ = j.add(wireChanges(7, true, "/w/a"), 6, true)
	if err := j.progress(7); !errors.As(err, &pe) || pe.Code != CodeSystemError {
		t.Fatalf("progress inside: %v", err)
	}
	if _, err := (&fragmentJoin{path: "/w"}).add(wireChanges(6, false, "/w/a"), 6, true); !errors.As(err, &pe) {
		t.Fatalf("repeat: %v", err)
	}
}

// Every request asks for fragments and carries the new options.
func TestWatchRequestAlwaysFragments(t *testing.T) {
	req := watchRequest("/w", WatchStreamOptions{WithPrevData: true, EventTypes: []EventType{EventNodeDeleted}})
	if !req.GetFragment() || !req.GetWithPrevData() || len(req.GetEventTypes()) != 1 ||
		req.GetEventTypes()[0] != pb.EventType_EVENT_TYPE_NODE_DELETED {
		t.Fatalf("request %v", req)
	}
	if !watchRequest("/w", WatchStreamOptions{}).GetFragment() {
		t.Fatal("default request without fragment")
	}
}

// A stream is taken for half-open after three of the progress intervals it asked for (the
// server's default 5s for 0; below the server's 100ms clamp, the clamp).
func TestWatchIdleTimeoutIsThreeProgressIntervals(t *testing.T) {
	for _, c := range []struct {
		ms   int32
		want time.Duration
	}{{200, 600 * time.Millisecond}, {0, 15 * time.Second}, {10, 300 * time.Millisecond}} {
		if got := watchIdleTimeout(c.ms); got != c.want {
			t.Errorf("watchIdleTimeout(%d) = %v, want %v", c.ms, got, c.want)
		}
	}
}
