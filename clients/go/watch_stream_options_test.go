package paddock_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
	"github.com/paddock-dev/paddock/clients/go/internal/pb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// multiBytes is each node's data in the big multi: six of them make a request under jute.maxbuffer
// (1 MiB - 1, the server's default), but with data and previous data the transaction's changes
// are about twice that, so the server sends them in fragments of at most jute.maxbuffer.
const multiBytes = 150_000

// A multi that sets six nodes, watched with data and previous data, comes in fragments (a raw
// stream sees them) and is delivered as one whole batch; a stream filtered to NodeDeleted skips
// the multi and gets the delete, with the node's last data as PrevData.
func TestWatchStreamPrevDataEventTypesAndFragments(t *testing.T) {
	ctx := testCtx(t)
	c := connect(t)
	r := root(t, c)
	before, after := bytes.Repeat([]byte("a"), multiBytes), bytes.Repeat([]byte("b"), multiBytes)
	var ops []paddock.Op
	for _, n := range []string{"/n0", "/n1", "/n2", "/n3", "/n4", "/n5"} {
		create(t, c, r+n, before, paddock.ModePersistent)
		ops = append(ops, &paddock.SetDataOp{Path: r + n, Data: after, Version: 0})
	}
	_, st, err := c.Exists(ctx, r+"/n5")
	noErr(t, err)
	from := st.Czxid
	all, err := c.WatchStream(ctx, r, paddock.WatchStreamOptions{FromZxid: &from, Recursive: true,
		WithData: true, WithPrevData: true})
	noErr(t, err)
	defer all.Close()
	deletes, err := c.WatchStream(ctx, r, paddock.WatchStreamOptions{FromZxid: &from, Recursive: true,
		WithPrevData: true, EventTypes: []paddock.EventType{paddock.EventNodeDeleted}})
	noErr(t, err)
	defer deletes.Close()

	_, err = c.Multi(ctx, ops...)
	noErr(t, err)
	noErr(t, c.Delete(ctx, r+"/n0", paddock.AnyVersion))

	b, err := all.Next(ctx)
	noErr(t, err)
	multiZxid := b.Zxid
	if len(b.Changes) != len(ops) {
		t.Fatalf("the multi came as %d changes, want %d (fragments not joined?)", len(b.Changes), len(ops))
	}
	for i, ch := range b.Changes {
		if ch.Type != paddock.EventNodeDataChanged || ch.Path != ops[i].(*paddock.SetDataOp).Path ||
			!bytes.Equal(ch.Data, after) || !bytes.Equal(ch.PrevData, before) ||
			ch.Stat == nil || ch.Stat.Version != 1 || ch.PrevStat == nil || ch.PrevStat.Version != 0 ||
			ch.DataNull || ch.PrevDataNull {
			t.Fatalf("change %d: %v %s data %d B prev %d B stat %+v prev stat %+v", i, ch.Type, ch.Path,
				len(ch.Data), len(ch.PrevData), ch.Stat, ch.PrevStat)
		}
	}
	del, err := all.Next(ctx)
	noErr(t, err)
	if len(del.Changes) != 1 || del.Changes[0].Type != paddock.EventNodeDeleted || del.Changes[0].Data != nil ||
		!bytes.Equal(del.Changes[0].PrevData, after) || del.Changes[0].PrevStat.Version != 1 {
		t.Fatalf("delete: %+v", del.Changes)
	}
	onlyDel, err := deletes.Next(ctx)
	noErr(t, err)
	if onlyDel.Zxid != del.Zxid || len(onlyDel.Changes) != 1 || onlyDel.Changes[0].Path != r+"/n0" ||
		!bytes.Equal(onlyDel.Changes[0].PrevData, after) {
		t.Fatalf("filtered stream: %#x %+v, want the delete %#x", onlyDel.Zxid, onlyDel.Changes, del.Zxid)
	}

	// The scenario really fragments: the same request on a raw stream gets the multi in more
	// than one message, each but the last marked fragment.
	if n := rawMessagesFor(t, r, from, multiZxid); n < 2 {
		t.Fatalf("the multi came in %d message(s); the test needs it fragmented", n)
	}
}

// rawMessagesFor counts the WatchChanges messages of transaction zxid on a raw stream.
func rawMessagesFor(t *testing.T, path string, from, zxid int64) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cc, err := grpc.NewClient(srv.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
	noErr(t, err)
	defer cc.Close()
	stream, err := pb.NewWatchServiceClient(cc).Watch(ctx, &pb.WatchStreamRequest{Path: path, Recursive: true,
		FromZxid: &from, WithData: true, WithPrevData: true, Fragment: true})
	noErr(t, err)
	n := 0
	for {
		m, err := stream.Recv()
		noErr(t, err)
		ch := m.GetChanges()
		if ch == nil || ch.GetZxid() != zxid {
			continue
		}
		n++
		if !ch.GetFragment() {
			return n
		}
	}
}
