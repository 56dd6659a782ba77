package paddock

import (
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/paddock-dev/paddock/clients/go/internal/pb"
)

func TestErrorIsMatchesByCode(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", errorFromPB(&pb.Error{Code: pb.ErrorCode_ERROR_CODE_NO_NODE, Path: "/a", Message: "no node"}))
	if !errors.Is(err, ErrNoNode) {
		t.Fatalf("errors.Is(%v, ErrNoNode) = false", err)
	}
	if errors.Is(err, ErrNodeExists) {
		t.Fatalf("errors.Is(%v, ErrNodeExists) = true", err)
	}
	if !errors.Is(err, &Error{Code: CodeNoNode, Path: "/a"}) || errors.Is(err, &Error{Code: CodeNoNode, Path: "/b"}) {
		t.Fatal("a target with a Path must match that path only")
	}
	var pe *Error
	if !errors.As(err, &pe) || pe.Path != "/a" || pe.Code != CodeNoNode {
		t.Fatalf("errors.As gave %+v", pe)
	}
	if got := pe.Error(); got != "paddock: NoNode /a: no node" {
		t.Fatalf("Error() = %q", got)
	}
	if errorFromPB(nil) != nil || errorFromPB(&pb.Error{}) != nil {
		t.Fatal("OK must map to a nil error")
	}
}

// The Code numbers must be the wire's ErrorCode numbers (ZooKeeper's).
func TestCodesMatchTheProto(t *testing.T) {
	for code, name := range codeNames {
		if _, ok := pb.ErrorCode_name[int32(code)]; !ok {
			t.Errorf("code %d (%s) is not in paddock.v1.ErrorCode", code, name)
		}
	}
	for num := range pb.ErrorCode_name {
		if _, ok := codeNames[Code(num)]; !ok {
			t.Errorf("paddock.v1.ErrorCode %d has no Go Code", num)
		}
	}
}

// ZooKeeper's documented digest for super:test.
func TestDigestIDIsZooKeepers(t *testing.T) {
	if got := DigestID("super", "test"); got != "super:D/InIHSb7yEEbrWz8b9l71RjZJU=" {
		t.Fatalf("DigestID = %q", got)
	}
}

func recv(t *testing.T, ch chan Event) []Event {
	t.Helper()
	var out []Event
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return append(out, Event{Type: -100}) // marks "closed"
			}
			out = append(out, ev)
		default:
			return out
		}
	}
}

// ZooKeeper's client routing: data changes fire data and exist watches, child changes child
// watches, deletes all three; recursive watches see their subtree but not child events.
func TestDispatchRouting(t *testing.T) {
	r := newWatchRegistry()
	data := &watcher{ch: make(chan Event, 1)}
	child := &watcher{ch: make(chan Event, 1)}
	rec := &watcher{ch: make(chan Event, 8)}
	pers := &watcher{ch: make(chan Event, 8)}
	r.add(kindData, "/a/b", data)
	r.add(kindChild, "/a/b", child)
	r.add(kindRecursive, "/a", rec)
	r.add(kindPersistent, "/a/b", pers)

	r.dispatch(Event{Type: EventNodeChildrenChanged, Path: "/a/b", Zxid: 5})
	if got := recv(t, child.ch); len(got) != 2 || got[0].Type != EventNodeChildrenChanged || got[1].Type != -100 {
		t.Fatalf("child watch got %v, want one event then close", got)
	}
	if got := recv(t, data.ch); len(got) != 0 {
		t.Fatalf("data watch fired on a child event: %v", got)
	}
	if got := recv(t, rec.ch); len(got) != 0 {
		t.Fatalf("recursive watch fired on a child event: %v", got)
	}
	if got := recv(t, pers.ch); len(got) != 1 {
		t.Fatalf("persistent watch got %v, want the child event", got)
	}

	r.dispatch(Event{Type: EventNodeDataChanged, Path: "/a/b", Zxid: 6})
	if got := recv(t, data.ch); len(got) != 2 || got[0].Zxid != 6 {
		t.Fatalf("data watch got %v", got)
	}
	r.dispatch(Event{Type: EventNodeCreated, Path: "/a/b/c/d", Zxid: 7})
	if got := recv(t, rec.ch); len(got) != 2 || got[1].Path != "/a/b/c/d" {
		t.Fatalf("recursive watch got %v, want /a/b data change and /a/b/c/d create", got)
	}
	if r.has(kindData, "/a/b") || r.has(kindChild, "/a/b") {
		t.Fatal("one-time watches must be gone after firing")
	}
	if sw := r.setWatches(7); sw == nil || len(sw.PersistentRecursiveWatches) != 1 || len(sw.PersistentWatches) != 1 || len(sw.DataWatches) != 0 {
		t.Fatalf("setWatches = %v", sw)
	}
}

func TestRemoveAndCloseAll(t *testing.T) {
	r := newWatchRegistry()
	d := &watcher{ch: make(chan Event, 1)}
	e := &watcher{ch: make(chan Event, 1)}
	p := &watcher{ch: make(chan Event, 4)}
	r.add(kindData, "/x", d)
	r.add(kindExist, "/y", e)
	r.add(kindPersistent, "/x", p)
	r.remove("/x", WatcherData, 9)
	if got := recv(t, d.ch); len(got) != 2 || got[0].Type != EventDataWatchRemoved {
		t.Fatalf("removed data watch got %v", got)
	}
	if got := recv(t, p.ch); len(got) != 0 {
		t.Fatalf("persistent watch touched by a data removal: %v", got)
	}
	r.closeAll(ErrSessionExpired)
	for _, w := range []*watcher{e, p} {
		got := recv(t, w.ch)
		if len(got) != 2 || got[0].Type != EventNotWatching || !errors.Is(got[0].Err, ErrSessionExpired) {
			t.Fatalf("closeAll gave %v", got)
		}
	}
	if r.setWatches(1) != nil {
		t.Fatal("nothing is left to re-register")
	}
}

// A slow consumer loses its persistent watch with ErrWatchOverflow instead of blocking the reader.
func TestPersistentOverflowDropsTheWatch(t *testing.T) {
	r := newWatchRegistry()
	w := &watcher{ch: make(chan Event, 3)} // buffer 2 + the reserved slot
	r.add(kindPersistent, "/p", w)
	var dropped []overflowed
	for i := 0; i < 5; i++ {
		dropped = append(dropped, r.dispatch(Event{Type: EventNodeDataChanged, Path: "/p", Zxid: int64(i)})...)
	}
	got := recv(t, w.ch)
	if len(got) != 4 || got[2].Type != EventNotWatching || !errors.Is(got[2].Err, ErrWatchOverflow) || got[3].Type != -100 {
		t.Fatalf("got %v, want two events, NotWatching(overflow), close", got)
	}
	if len(dropped) != 1 || dropped[0].path != "/p" || dropped[0].kind != kindPersistent {
		t.Fatalf("dropped = %v", dropped)
	}
}

func TestParentPath(t *testing.T) {
	for in, want := range map[string]string{"/a/b": "/a", "/a": "/", "/": "/"} {
		if got := parentPath(in); got != want {
			t.Errorf("parentPath(%q) = %q, want %q", in, got, want)
		}
	}
	names := []string{}
	for k := range eventNames {
		names = append(names, k.String())
	}
	sort.Strings(names)
	if len(names) != 8 {
		t.Fatalf("event names %v", names)
	}
}

func TestOptionsValidate(t *testing.T) {
	o := defaultOptions()
	if err := o.validate(); err != nil {
		t.Fatal(err)
	}
	WithMaxQueuedRequests(0)(&o)
	if err := o.validate(); err == nil {
		t.Fatal("0 queued requests must be refused")
	}
}
