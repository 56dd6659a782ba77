package paddock_test

import (
	"bytes"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

func TestCRUDWithVersions(t *testing.T) {
	ctx := testCtx(t)
	c := connect(t)
	r := root(t, c)
	p := r + "/node"

	got := create(t, c, p, []byte("v0"), paddock.ModePersistent)
	if got != p {
		t.Fatalf("Create returned %q, want %q", got, p)
	}
	data, st, err := c.GetData(ctx, p)
	if err != nil || !bytes.Equal(data, []byte("v0")) || st.Version != 0 || st.DataLength != 2 || st.Czxid == 0 || st.Czxid != st.Mzxid {
		t.Fatalf("GetData = %q %+v %v", data, st, err)
	}
	st1, err := c.SetData(ctx, p, []byte("v1"), 0)
	noErr(t, err)
	if st1.Version != 1 || st1.Mzxid <= st.Mzxid || st1.Czxid != st.Czxid {
		t.Fatalf("SetData stat %+v after %+v", st1, st)
	}
	// ZooKeeper: a stale version is BadVersion and changes nothing.
	_, err = c.SetData(ctx, p, []byte("stale"), 0)
	var pe *paddock.Error
	if !errors.Is(err, paddock.ErrBadVersion) || !errors.As(err, &pe) || pe.Path != p {
		t.Fatalf("SetData with a stale version: %v, want BadVersion on %s", err, p)
	}
	_, err = c.SetData(ctx, p, []byte("v2"), paddock.AnyVersion)
	noErr(t, err)

	ok, est, err := c.Exists(ctx, p)
	if err != nil || !ok || est.Version != 2 {
		t.Fatalf("Exists = %v %+v %v", ok, est, err)
	}
	ok, est, err = c.Exists(ctx, r+"/missing")
	if err != nil || ok || est != nil {
		t.Fatalf("Exists(missing) = %v %+v %v", ok, est, err)
	}

	for _, n := range []string{"b", "a", "c"} {
		create(t, c, p+"/"+n, nil, paddock.ModePersistent)
	}
	kids, pst, err := c.GetChildren(ctx, p)
	sort.Strings(kids)
	if err != nil || strings.Join(kids, ",") != "a,b,c" || pst.NumChildren != 3 || pst.Cversion != 3 {
		t.Fatalf("GetChildren = %v %+v %v", kids, pst, err)
	}

	if _, err := c.Create(ctx, p+"/a", nil, paddock.ModePersistent, nil); !errors.Is(err, paddock.ErrNodeExists) {
		t.Fatalf("Create existing: %v, want NodeExists", err)
	}
	if _, err := c.Create(ctx, r+"/no/parent", nil, paddock.ModePersistent, nil); !errors.Is(err, paddock.ErrNoNode) {
		t.Fatalf("Create without parent: %v, want NoNode", err)
	}
	if err := c.Delete(ctx, p, paddock.AnyVersion); !errors.Is(err, paddock.ErrNotEmpty) {
		t.Fatalf("Delete non-empty: %v, want NotEmpty", err)
	}
	if err := c.Delete(ctx, p+"/a", 7); !errors.Is(err, paddock.ErrBadVersion) {
		t.Fatalf("Delete bad version: %v, want BadVersion", err)
	}
	for _, n := range []string{"a", "b", "c"} {
		if err := c.Delete(ctx, p+"/"+n, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Delete(ctx, p, 2); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.GetData(ctx, p); !errors.Is(err, paddock.ErrNoNode) {
		t.Fatalf("GetData deleted: %v, want NoNode", err)
	}
	if err := c.Delete(ctx, p, paddock.AnyVersion); !errors.Is(err, paddock.ErrNoNode) {
		t.Fatalf("Delete deleted: %v, want NoNode", err)
	}
	if _, err := c.Sync(ctx, r); err != nil {
		t.Fatalf("Sync: %v", err)
	}
}

func TestCreateModes(t *testing.T) {
	ctx := testCtx(t)
	c := connect(t)
	r := root(t, c)

	eph := create(t, c, r+"/eph", nil, paddock.ModeEphemeral)
	_, st, _ := c.Exists(ctx, eph)
	if st == nil || st.EphemeralOwner != c.SessionID() {
		t.Fatalf("ephemeral owner %+v, want session %x", st, c.SessionID())
	}
	// ZooKeeper: ephemerals cannot have children.
	if _, err := c.Create(ctx, eph+"/kid", nil, paddock.ModePersistent, nil); !errors.Is(err, paddock.ErrNoChildrenForEphemeral) {
		t.Fatalf("child of ephemeral: %v, want NoChildrenForEphemerals", err)
	}

	s1 := create(t, c, r+"/seq-", nil, paddock.ModePersistentSequential)
	s2 := create(t, c, r+"/seq-", nil, paddock.ModeEphemeralSequential)
	// ZooKeeper: the suffix is the parent's cversion, 10 digits zero-padded.
	for _, s := range []string{s1, s2} {
		suffix := strings.TrimPrefix(s, r+"/seq-")
		if len(suffix) != 10 || strings.Trim(suffix, "0123456789") != "" {
			t.Fatalf("sequential path %q has no 10-digit suffix", s)
		}
	}
	if s1 >= s2 {
		t.Fatalf("sequence not increasing: %s then %s", s1, s2)
	}
	_, st, _ = c.Exists(ctx, s2)
	if st == nil || st.EphemeralOwner != c.SessionID() {
		t.Fatalf("ephemeral sequential stat %+v", st)
	}

	cont := create(t, c, r+"/container", nil, paddock.ModeContainer)
	_, st, _ = c.Exists(ctx, cont)
	// ZooKeeper 3.8 (checked with zkCli's stat): a container's client-visible ephemeralOwner is 0.
	if st == nil || st.EphemeralOwner != 0 {
		t.Fatalf("container stat %+v", st)
	}

	ttl, err := c.CreateTTL(ctx, r+"/ttl", nil, paddock.ModePersistentWithTTL, nil, 60*time.Second)
	noErr(t, err)
	_, st, _ = c.Exists(ctx, ttl)
	// ZooKeeper 3.8 (checked with zkCli's stat): a TTL node's client-visible ephemeralOwner is 0.
	if st == nil || st.EphemeralOwner != 0 {
		t.Fatalf("TTL stat %+v", st)
	}
	sttl, err := c.CreateTTL(ctx, r+"/sttl-", nil, paddock.ModePersistentSequentialWithTTL, nil, time.Minute)
	noErr(t, err)
	if !strings.HasPrefix(sttl, r+"/sttl-") || len(sttl) != len(r+"/sttl-")+10 {
		t.Fatalf("sequential TTL path %q", sttl)
	}
	// ZooKeeper: a TTL mode without a positive TTL is BadArguments.
	if _, err := c.Create(ctx, r+"/nottl", nil, paddock.ModePersistentWithTTL, nil); !errors.Is(err, paddock.ErrBadArguments) {
		t.Fatalf("TTL mode without TTL: %v, want BadArguments", err)
	}
}

func TestEphemeralsVanishOnClose(t *testing.T) {
	ctx := testCtx(t)
	observer := connect(t)
	r := root(t, observer)
	owner := connect(t)
	p := create(t, owner, r+"/eph", nil, paddock.ModeEphemeral)
	ok, ch := existsW(t, observer, p)
	if !ok {
		t.Fatal("ephemeral not visible to another session")
	}
	if err := owner.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if owner.State() != paddock.StateClosed {
		t.Fatalf("state after Close = %v", owner.State())
	}
	// The reply to close means the ephemerals are gone: no waiting needed.
	if ok, _, _ := observer.Exists(ctx, p); ok {
		t.Fatal("ephemeral still there after Close returned")
	}
	if ev := nextEvent(t, ch); ev.Type != paddock.EventNodeDeleted || ev.Path != p {
		t.Fatalf("event %+v, want NodeDeleted %s", ev, p)
	}
	if _, err := owner.Create(ctx, r+"/x", nil, paddock.ModePersistent, nil); !errors.Is(err, paddock.ErrClosed) {
		t.Fatalf("call after Close: %v, want ErrClosed", err)
	}
}

func TestEphemeralsVanishOnExpiry(t *testing.T) {
	ctx := testCtx(t)
	observer := connect(t)
	r := root(t, observer)
	owner := connect(t, paddock.WithSessionTimeout(400*time.Millisecond))
	if owner.SessionTimeout() > 4*time.Second {
		t.Fatalf("negotiated timeout %v, want within the server's [400ms, 4s]", owner.SessionTimeout())
	}
	p := create(t, owner, r+"/eph", nil, paddock.ModeEphemeral)
	dataWatch := getDataW(t, owner, p)
	_, ch := existsW(t, observer, p)

	paddock.StopHeartbeats(owner)
	// The server expires the silent session and deletes its ephemeral.
	if ev := nextEvent(t, ch); ev.Type != paddock.EventNodeDeleted {
		t.Fatalf("observer event %+v, want NodeDeleted", ev)
	}
	if ok, _, _ := observer.Exists(ctx, p); ok {
		t.Fatal("ephemeral survived its session's expiry")
	}
	// The owner learns it from the server's EXPIRED session event, or at the latest from the
	// answer to its next ping (SessionExpired) or to its resume attempt (EXPIRED).
	paddock.ResumeHeartbeats(owner)
	waitState(t, owner, paddock.StateExpired, 30*time.Second)
	// The owner's own watch may fire NodeDeleted first (ZooKeeper too delivers the events of the
	// closing transaction before it closes the connection); otherwise it ends with NotWatching.
	ev := nextEvent(t, dataWatch)
	if ev.Type != paddock.EventNodeDeleted && (ev.Type != paddock.EventNotWatching || !errors.Is(ev.Err, paddock.ErrSessionExpired)) {
		t.Fatalf("owner's watch got %+v, want NodeDeleted or NotWatching/SessionExpired", ev)
	}
	if _, _, err := owner.GetData(ctx, r); !errors.Is(err, paddock.ErrSessionExpired) {
		t.Fatalf("call after expiry: %v, want SessionExpired", err)
	}
	if err := owner.Close(ctx); err != nil {
		t.Fatalf("Close after expiry: %v", err)
	}
}
