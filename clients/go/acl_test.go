package paddock_test

import (
	"errors"
	"testing"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

func TestDigestACL(t *testing.T) {
	ctx := testCtx(t)
	alice := connect(t)
	noErr(t, alice.AddAuth(ctx, "digest", []byte("alice:secret")))
	r := root(t, alice)
	p := r + "/private"
	if _, err := alice.Create(ctx, p, []byte("s"), paddock.ModePersistent, paddock.DigestACL(paddock.PermAll, "alice", "secret")); err != nil {
		t.Fatal(err)
	}
	acl, st, err := alice.GetACL(ctx, p)
	noErr(t, err)
	if len(acl) != 1 || acl[0].ID.Scheme != "digest" || acl[0].ID.ID != paddock.DigestID("alice", "secret") || acl[0].Perms != paddock.PermAll || st.Aversion != 0 {
		t.Fatalf("GetACL = %+v %+v", acl, st)
	}
	who, err := alice.WhoAmI(ctx)
	noErr(t, err)
	found := false
	for _, w := range who {
		found = found || (w.AuthScheme == "digest" && w.User == "alice")
	}
	// ZooKeeper 3.8 (checked with zkCli's whoami) reports the digest user name alone: "alice".
	if !found {
		t.Errorf("WhoAmI = %+v, want digest alice", who)
	}

	anon := connect(t)
	if _, _, err := anon.GetData(ctx, p); !errors.Is(err, paddock.ErrNoAuth) {
		t.Fatalf("anonymous read: %v, want NoAuth", err)
	}
	if _, err := anon.SetData(ctx, p, nil, paddock.AnyVersion); !errors.Is(err, paddock.ErrNoAuth) {
		t.Fatalf("anonymous write: %v, want NoAuth", err)
	}
	// ZooKeeper: a wrong digest password is accepted by addAuth but grants nothing.
	noErr(t, anon.AddAuth(ctx, "digest", []byte("alice:wrong")))
	if _, _, err := anon.GetData(ctx, p); !errors.Is(err, paddock.ErrNoAuth) {
		t.Fatalf("wrong password read: %v, want NoAuth", err)
	}
	bob := connect(t, paddock.WithAuth("digest", []byte("alice:secret")))
	if data, _, err := bob.GetData(ctx, p); err != nil || string(data) != "s" {
		t.Fatalf("read with credentials from Connect: %q %v", data, err)
	}

	// SetACL with aversion: stale fails, current succeeds.
	if _, err := alice.SetACL(ctx, p, paddock.OpenACLUnsafe, 3); !errors.Is(err, paddock.ErrBadVersion) {
		t.Fatalf("SetACL stale aversion: %v, want BadVersion", err)
	}
	st, err = alice.SetACL(ctx, p, paddock.ReadACLUnsafe, 0)
	if err != nil || st.Aversion != 1 {
		t.Fatalf("SetACL = %+v %v", st, err)
	}
	if _, _, err := anon.GetData(ctx, p); err != nil {
		t.Fatalf("read after opening the ACL: %v", err)
	}
	if _, err := anon.SetData(ctx, p, nil, paddock.AnyVersion); !errors.Is(err, paddock.ErrNoAuth) {
		t.Fatalf("write with read-only ACL: %v, want NoAuth", err)
	}
	// ZooKeeper: the auth scheme in an ACL needs an authenticated identity (ip does not count).
	if _, err := connect(t).Create(ctx, r+"/creator", nil, paddock.ModePersistent, paddock.CreatorAllACL); !errors.Is(err, paddock.ErrInvalidACL) {
		t.Fatalf("CreatorAllACL without auth: %v, want InvalidACL", err)
	}
}
