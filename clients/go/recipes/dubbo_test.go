package recipes_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
	"github.com/paddock-dev/paddock/clients/go/recipes"
)

func TestJavaURLEncodeMatchesJava(t *testing.T) {
	// java.net.URLEncoder.encode(url, "UTF-8") on Java 17, pinned in test/unit/client/recipe-names.test.ts.
	const url = "dubbo://10.0.0.5:20880/org.example.Greeter?application=node&methods=hi,bye é~!'()* x"
	const java = "dubbo%3A%2F%2F10.0.0.5%3A20880%2Forg.example.Greeter%3Fapplication%3Dnode%26methods%3Dhi%2Cbye+%C3%A9%7E%21%27%28%29*+x"
	if got := recipes.JavaURLEncode(url); got != java {
		t.Fatalf("JavaURLEncode = %s, want %s", got, java)
	}
	if back, err := recipes.JavaURLDecode(java); err != nil || back != url {
		t.Fatalf("JavaURLDecode = %q, %v", back, err)
	}
}

func TestDubboProvidersAreEphemeralAndConsumersSeeThem(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	provider, consumer := connect(t), connect(t)
	root := fmt.Sprintf("/dubbo-go-%d", time.Now().UnixNano())
	const url = "dubbo://10.0.0.5:20880/org.example.Greeter?application=go&methods=hi,bye&side=provider"
	path, err := recipes.NewDubboRegistry(provider, root).Register(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if want := root + "/org.example.Greeter/providers/" + recipes.JavaURLEncode(url); path != want {
		t.Fatalf("registered at %s, want %s", path, want)
	}
	if ok, st, err := consumer.Exists(ctx, path); err != nil || !ok || st.EphemeralOwner != provider.SessionID() {
		t.Fatalf("provider node: exists %v, err %v", ok, err)
	}
	registry := recipes.NewDubboRegistry(consumer, root)
	urls, changed, err := registry.LookupW(ctx, "org.example.Greeter", "providers")
	if err != nil || !slices.Equal(urls, []string{url}) {
		t.Fatalf("LookupW = %v, %v", urls, err)
	}
	if _, err := registry.Register(ctx, "consumer://10.0.0.6/org.example.Greeter?category=consumers&side=consumer"); err != nil {
		t.Fatal(err)
	}
	if got, err := registry.Lookup(ctx, "org.example.Greeter", "consumers"); err != nil || len(got) != 1 {
		t.Fatalf("consumers = %v, %v", got, err)
	}
	static := "override://0.0.0.0/org.example.Greeter?category=configurators&dynamic=false"
	staticPath, err := registry.Register(ctx, static)
	if err != nil || !strings.HasPrefix(staticPath, root+"/org.example.Greeter/configurators/") {
		t.Fatalf("configurator at %s: %v", staticPath, err)
	}
	if ok, st, err := consumer.Exists(ctx, staticPath); err != nil || !ok || st.EphemeralOwner != 0 {
		t.Fatalf("dynamic=false is persistent: exists %v, err %v", ok, err)
	}
	if err := provider.Close(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-changed:
		if ev.Type != paddock.EventNodeChildrenChanged {
			t.Fatalf("event %v", ev)
		}
	case <-ctx.Done():
		t.Fatal("no change when the provider's session closed")
	}
	if got, err := registry.Lookup(ctx, "org.example.Greeter", "providers"); err != nil || len(got) != 0 {
		t.Fatalf("providers after close = %v, %v", got, err)
	}
	if _, err := registry.Lookup(ctx, "org.example.Greeter", "nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("unknown category: %v", err)
	}
}
