package recipes_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paddock-dev/paddock/clients/go/recipes"
)

// Application-level layout (docs/RECIPES.md): instances are ephemeral, the mapping keeps every
// application that registered concurrently (compare-and-set), and a closed provider is not found.
func TestDubboApplicationsRegisterMapAndFind(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	root := fmt.Sprintf("/dubbo-apps-go-%d", time.Now().UnixNano())
	const iface = "org.example.Greeter"
	providers := make([]*recipes.DubboApplications, 4)
	var wg sync.WaitGroup
	errs := make([]error, len(providers))
	for i := range providers {
		c := connect(t)
		providers[i] = recipes.NewDubboApplicationsAt(c, root+"/services", root+"/mapping")
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = providers[i].Register(ctx, recipes.DubboInstance{App: fmt.Sprintf("app-%d", i), Address: "10.0.0.5", Port: 20880 + i}, iface)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	reader := connect(t)
	view := recipes.NewDubboApplicationsAt(reader, root+"/services", root+"/mapping")
	apps, err := view.ApplicationsOf(ctx, iface)
	slices.Sort(apps)
	if err != nil || !slices.Equal(apps, []string{"app-0", "app-1", "app-2", "app-3"}) {
		t.Fatalf("ApplicationsOf = %v, %v", apps, err)
	}
	found, err := view.Instances(ctx, "app-2")
	if err != nil || len(found) != 1 {
		t.Fatalf("Instances = %v, %v", found, err)
	}
	// The revision is the MD5 of "app|port|protocol|interfaces", the same in every client (the
	// TypeScript client makes a6f5… for this registration too: see docs/RECIPES.md).
	const revision = "419c072ffe58b54ae3e544ec11aceca2"
	if got := found[0]; got.ID != "10.0.0.5:20882" || got.Port != 20882 || got.Metadata["dubbo.endpoints"] != `[{"port":20882,"protocol":"dubbo"}]` ||
		got.Metadata["dubbo.metadata.revision"] != revision || got.Metadata["dubbo.metadata.storage-type"] != "remote" {
		t.Fatalf("instance %+v", got)
	}
	report, _, err := reader.GetData(ctx, root+"/metadata/app-2/"+revision)
	if err != nil || !strings.Contains(string(report), `"org.example.Greeter:dubbo":{"name":"org.example.Greeter"`) || !strings.Contains(string(report), `"port":20882`) {
		t.Fatalf("metadata report %s: %v", report, err)
	}
	if ok, st, err := reader.Exists(ctx, root+"/services/app-2/10.0.0.5:20882"); err != nil || !ok || st.EphemeralOwner == 0 {
		t.Fatalf("instance node: exists %v, err %v", ok, err)
	}
	if err := providers[2].Map(ctx, iface, "app-2"); err != nil {
		t.Fatal(err)
	}
	if data, _, err := reader.GetData(ctx, root+"/mapping/"+iface); err != nil || strings.Count(string(data), "app-2") != 1 {
		t.Fatalf("mapping after a repeated Map = %q, %v", data, err)
	}
	if err := providers[2].Unregister(ctx, "app-2", "10.0.0.5:20882"); err != nil {
		t.Fatal(err)
	}
	all, err := view.ProvidersOf(ctx, iface)
	if err != nil || len(all) != 3 {
		t.Fatalf("ProvidersOf after one unregistered = %v, %v", all, err)
	}
	if _, err := view.Instances(ctx, "a/b"); err == nil || !strings.Contains(err.Error(), `"a/b"`) {
		t.Fatalf("a name with '/': %v", err)
	}
}
