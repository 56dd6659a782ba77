package recipes_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/paddock-dev/paddock/clients/go/internal/testproxy"
	"github.com/paddock-dev/paddock/clients/go/recipes"
)

func ids(insts []recipes.ServiceInstance) string {
	out := ""
	for _, i := range insts {
		out += i.ID + " "
	}
	return out
}

// Round robin rotates over the cache, random stays within it, sticky keeps one instance until
// it leaves; joins and leaves reach the cache through the children watch.
func TestServiceProviderStrategies(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	base := fmt.Sprintf("/go-providers-%d", time.Now().UnixNano())
	reg, reader := recipes.NewServiceDiscovery(connect(t), base), recipes.NewServiceDiscovery(connect(t), base)
	providers := map[recipes.Strategy]*recipes.ServiceProvider{}
	for _, s := range []recipes.Strategy{recipes.RoundRobin, recipes.Random, recipes.Sticky} {
		providers[s] = reader.Provider("api", s)
		// Started before the service exists: the provider waits for it to appear.
		if err := providers[s].Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer providers[s].Close()
	}
	for _, id := range []string{"i1", "i2", "i3"} {
		if err := reg.Register(ctx, recipes.NewServiceInstance("api", id, "10.0.0.1", 8080)); err != nil {
			t.Fatal(err)
		}
	}
	for s, p := range providers {
		pollUntil(ctx, t, fmt.Sprintf("provider %d to see three instances", s), func() bool { return len(p.Instances()) == 3 })
	}
	rr := ""
	for range 6 {
		inst, err := providers[recipes.RoundRobin].Instance()
		if err != nil {
			t.Fatal(err)
		}
		rr += inst.ID + " "
	}
	if rr != "i1 i2 i3 i1 i2 i3 " {
		t.Fatalf("round robin gave %s", rr)
	}
	for range 20 {
		if inst, err := providers[recipes.Random].Instance(); err != nil || inst.Name != "api" {
			t.Fatalf("random gave %v %v", inst, err)
		}
	}
	sticky := providers[recipes.Sticky]
	first, _ := sticky.Instance()
	for range 5 {
		if again, _ := sticky.Instance(); again.ID != first.ID {
			t.Fatalf("sticky moved from %s to %s while it is registered", first.ID, again.ID)
		}
	}
	if err := reg.Unregister(ctx, "api", first.ID); err != nil {
		t.Fatal(err)
	}
	pollUntil(ctx, t, "the sticky provider to drop the instance", func() bool { return len(sticky.Instances()) == 2 })
	moved, err := sticky.Instance()
	if err != nil || moved.ID == first.ID {
		t.Fatalf("sticky after its instance left: %v %v", moved.ID, err)
	}
	if again, _ := sticky.Instance(); again.ID != moved.ID {
		t.Fatalf("sticky moved again, from %s to %s", moved.ID, again.ID)
	}
	if got := ids(providers[recipes.RoundRobin].Instances()); got == "i1 i2 i3 " {
		t.Fatalf("round robin's cache still holds %s", got)
	}
}

// Changes made while the provider's connection is down reach its cache after the reconnect.
func TestServiceProviderRereadsOnReconnect(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	base := fmt.Sprintf("/go-providers-reconnect-%d", time.Now().UnixNano())
	p := testproxy.Start(t, srv.Addr)
	reg := recipes.NewServiceDiscovery(connect(t), base)
	if err := reg.Register(ctx, recipes.NewServiceInstance("api", "old", "10.0.0.1", 1)); err != nil {
		t.Fatal(err)
	}
	provider := recipes.NewServiceDiscovery(connectVia(t, p), base).Provider("api", recipes.RoundRobin)
	if err := provider.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer provider.Close()
	p.Pause()
	if err := reg.Unregister(ctx, "api", "old"); err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(ctx, recipes.NewServiceInstance("api", "new", "10.0.0.2", 2)); err != nil {
		t.Fatal(err)
	}
	p.Resume()
	pollUntil(ctx, t, "the provider to see the new instance", func() bool { return ids(provider.Instances()) == "new " })
}
