package paddock_test

import (
	"errors"
	"testing"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

func TestOneTimeWatches(t *testing.T) {
	ctx := testCtx(t)
	c := connect(t)
	other := connect(t)
	r := root(t, c)
	p := r + "/w"

	// Exists on a missing node: NodeCreated, once.
	ok, created := existsW(t, c, p)
	if ok {
		t.Fatal("node exists already")
	}
	create(t, other, p, []byte("a"), paddock.ModePersistent)
	if ev := nextEvent(t, created); ev.Type != paddock.EventNodeCreated || ev.Path != p || ev.Zxid == 0 {
		t.Fatalf("event %+v, want NodeCreated %s", ev, p)
	}
	if _, open := <-created; open {
		t.Fatal("a one-time watch channel must close after its event")
	}

	// GetData: NodeDataChanged from another session.
	changed := getDataW(t, c, p)
	_, err := other.SetData(ctx, p, []byte("b"), paddock.AnyVersion)
	noErr(t, err)
	if ev := nextEvent(t, changed); ev.Type != paddock.EventNodeDataChanged || ev.Path != p {
		t.Fatalf("event %+v, want NodeDataChanged", ev)
	}

	// ZooKeeper's ordering: the event reaches the client before the reply of the write that
	// fired it. The reader handles messages one at a time in arrival order, so what the watch
	// channel holds while the reader handles SetData's reply is exactly what arrived before it.
	// (Looking at the channel after SetData returns would race the reader: an event arriving
	// just after the reply could land in time and pass.)
	mine := getDataW(t, c, p)
	queuedAtReply := -1
	noErr(t, paddock.SetDataThen(ctx, c, p, []byte("c"), paddock.AnyVersion, func() { queuedAtReply = len(mine) }))
	if queuedAtReply != 1 {
		t.Fatalf("%d events delivered when SetData's reply was handled: the watch event must come before the reply of the write that fired it", queuedAtReply)
	}
	if ev := <-mine; ev.Type != paddock.EventNodeDataChanged || ev.Path != p {
		t.Fatalf("event %+v, want NodeDataChanged %s", ev, p)
	}

	// GetChildren: NodeChildrenChanged; delete: NodeDeleted for data and child watches.
	_, _, kids, err := c.GetChildrenW(ctx, p)
	noErr(t, err)
	create(t, other, p+"/k", nil, paddock.ModePersistent)
	if ev := nextEvent(t, kids); ev.Type != paddock.EventNodeChildrenChanged || ev.Path != p {
		t.Fatalf("event %+v, want NodeChildrenChanged %s", ev, p)
	}
	noErr(t, other.Delete(ctx, p+"/k", paddock.AnyVersion))
	data := getDataW(t, c, p)
	_, _, kids, err = c.GetChildrenW(ctx, p)
	noErr(t, err)
	noErr(t, other.Delete(ctx, p, paddock.AnyVersion))
	for _, ch := range []<-chan paddock.Event{data, kids} {
		if ev := nextEvent(t, ch); ev.Type != paddock.EventNodeDeleted || ev.Path != p {
			t.Fatalf("event %+v, want NodeDeleted %s", ev, p)
		}
	}
	// A failed GetDataW leaves no watch.
	if _, _, ch, err := c.GetDataW(ctx, p); !errors.Is(err, paddock.ErrNoNode) || ch != nil {
		t.Fatalf("GetDataW on a missing node: %v %v", ch, err)
	}
}

func TestPersistentWatches(t *testing.T) {
	ctx := testCtx(t)
	c := connect(t)
	other := connect(t)
	r := root(t, c)
	p := create(t, c, r+"/p", nil, paddock.ModePersistent)

	pw, err := c.AddWatch(ctx, p, paddock.AddWatchPersistent)
	noErr(t, err)
	rw, err := c.AddWatch(ctx, r, paddock.AddWatchPersistentRecursive)
	noErr(t, err)

	for i := 0; i < 2; i++ {
		_, err := other.SetData(ctx, p, []byte{byte(i)}, paddock.AnyVersion)
		noErr(t, err)
	}
	create(t, other, p+"/deep", nil, paddock.ModePersistent)
	want := []paddock.EventType{paddock.EventNodeDataChanged, paddock.EventNodeDataChanged, paddock.EventNodeChildrenChanged}
	for i, w := range want {
		if ev := nextEvent(t, pw); ev.Type != w || ev.Path != p {
			t.Fatalf("persistent event %d = %+v, want %v %s", i, ev, w, p)
		}
	}
	// Recursive: every data/create/delete event of the subtree, never child events.
	wantRec := []struct {
		typ  paddock.EventType
		path string
	}{{paddock.EventNodeDataChanged, p}, {paddock.EventNodeDataChanged, p}, {paddock.EventNodeCreated, p + "/deep"}}
	for i, w := range wantRec {
		if ev := nextEvent(t, rw); ev.Type != w.typ || ev.Path != w.path {
			t.Fatalf("recursive event %d = %+v, want %v %s", i, ev, w.typ, w.path)
		}
	}
	if len(rw) != 0 {
		t.Fatalf("recursive watch got extra events: %d queued", len(rw))
	}

	noErr(t, c.RemoveWatches(ctx, p, paddock.WatcherAny))
	if ev := nextEvent(t, pw); ev.Type != paddock.EventPersistentWatchRemoved {
		t.Fatalf("after RemoveWatches: %+v, want PersistentWatchRemoved", ev)
	}
	if _, open := <-pw; open {
		t.Fatal("a removed watch's channel must close")
	}
	// ZooKeeper: removing a watch that is not there is NoWatcher.
	if err := c.RemoveWatches(ctx, p, paddock.WatcherAny); !errors.Is(err, paddock.ErrNoWatcher) {
		t.Fatalf("second RemoveWatches: %v, want NoWatcher", err)
	}
	// The recursive watch on the parent still works.
	noErr(t, other.Delete(ctx, p+"/deep", paddock.AnyVersion))
	if ev := nextEvent(t, rw); ev.Type != paddock.EventNodeDeleted || ev.Path != p+"/deep" {
		t.Fatalf("recursive event %+v, want NodeDeleted", ev)
	}
}
