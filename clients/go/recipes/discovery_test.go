package recipes_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/paddock-dev/paddock/clients/go/recipes"
)

// An instance is "<base>/<service>/<id>", ephemeral, holding x-discovery's JSON with nulls for
// what is unset; another session finds it, a provider rotates, and it goes with its session.
func TestServiceDiscovery(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, b := connect(t), connect(t)
	da, db := recipes.NewServiceDiscovery(a, "/go-services"), recipes.NewServiceDiscovery(b, "/go-services")
	for _, id := range []string{"i1", "i2"} {
		if err := da.Register(ctx, recipes.NewServiceInstance("api", id, "10.0.0.1", 8080)); err != nil {
			t.Fatal(err)
		}
	}
	if err := da.Register(ctx, recipes.NewServiceInstance("api", "i1", "10.0.0.1", 8080)); err == nil {
		t.Fatal("registering i1 twice succeeded")
	}
	raw, st, err := b.GetData(ctx, "/go-services/api/i1")
	if err != nil || st.EphemeralOwner != a.SessionID() {
		t.Fatalf("instance node: %v (owner %v)", err, st)
	}
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"name": "api", "id": "i1", "address": "10.0.0.1", "port": 8080.0, "sslPort": nil,
		"payload": nil, "serviceType": "DYNAMIC", "uriSpec": nil, "enabled": true}
	for k, v := range want {
		if fields[k] != v {
			t.Errorf("field %s = %v, want %v", k, fields[k], v)
		}
	}
	if _, ok := fields["registrationTimeUTC"].(float64); !ok || len(fields) != 10 {
		t.Errorf("fields = %v", fields)
	}
	names, err := db.QueryForNames(ctx)
	if err != nil || len(names) != 1 || names[0] != "api" {
		t.Fatalf("QueryForNames = %v %v", names, err)
	}
	p := db.Provider("api", recipes.RoundRobin)
	if err := p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	first, err1 := p.Instance()
	second, err2 := p.Instance()
	if err1 != nil || err2 != nil || first.ID == second.ID || *first.Port != 8080 {
		t.Fatalf("provider gave %v %v, %v %v", first.ID, err1, second.ID, err2)
	}
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := db.QueryForInstances(ctx, "api"); err != nil || len(got) != 0 {
		t.Fatalf("after the session closed: %v %v", got, err)
	}
	// The provider's cache follows the service's children: both instances leave it.
	pollUntil(ctx, t, "the provider's cache to empty", func() bool { return len(p.Instances()) == 0 })
	if _, err := p.Instance(); err == nil {
		t.Fatal("provider with no instance gave one")
	}
}

// Members see each other's payloads, a join fires the watch, and a member that leaves is gone.
func TestGroupMember(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, b := connect(t), connect(t)
	ma := recipes.NewGroupMember(a, "/go-group", "a", []byte("pa"))
	mb := recipes.NewGroupMember(b, "/go-group", "b", []byte("pb"))
	if err := ma.Join(ctx); err != nil {
		t.Fatal(err)
	}
	view, changed, err := ma.MembersW(ctx)
	if err != nil || len(view) != 1 || string(view["a"]) != "pa" || ma.FencingToken() == 0 {
		t.Fatalf("view %v %v", view, err)
	}
	if err := mb.Join(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	case <-ctx.Done():
		t.Fatal("no watch event for b's join")
	}
	if view, err := ma.Members(ctx); err != nil || len(view) != 2 || string(view["b"]) != "pb" {
		t.Fatalf("view %v %v", view, err)
	}
	if err := recipes.NewGroupMember(b, "/go-group", "a", nil).Join(ctx); err == nil {
		t.Fatal("a second member a joined")
	}
	if err := mb.Leave(ctx); err != nil {
		t.Fatal(err)
	}
	if view, err := ma.Members(ctx); err != nil || len(view) != 1 {
		t.Fatalf("view after b left %v %v", view, err)
	}
}
