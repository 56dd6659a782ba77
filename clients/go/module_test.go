package paddock_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// modulePath is what `go get` resolves once the repository is published: the client lives in
// the clients/go folder of github.com/paddock-dev/paddock, so its versions are tagged
// clients/go/vX.Y.Z (README, "Install").
const modulePath = "github.com/paddock-dev/paddock/clients/go"

func TestModulePathIsTheRepositoryFolder(t *testing.T) {
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^module (\S+)$`).FindSubmatch(gomod)
	if m == nil || string(m[1]) != modulePath {
		t.Fatalf("go.mod declares module %q, want %q", m, modulePath)
	}
}

// A module outside this one (examples/hello, its own go.mod with a replace directive pointing
// at this checkout) builds against the client by its module path and runs against a server.
func TestExampleOutsideTheModuleBuildsAndRuns(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "hello")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = filepath.Join("examples", "hello")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build in examples/hello: %v\n%s", err, out)
	}
	list := exec.Command("go", "list", "-m", "-f", "{{.Path}} {{.Replace.Path}}", modulePath)
	list.Dir = build.Dir
	out, err := list.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -m: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != modulePath+" ../.." {
		t.Fatalf("examples/hello resolves the client as %q, want it replaced by ../..", got)
	}
	run := exec.Command(bin, srv.Addr)
	out, err = run.CombinedOutput()
	if err != nil {
		t.Fatalf("examples/hello: %v\n%s", err, out)
	}
	for _, want := range []string{`read "hi" at version 0`, "holding the lock, fencing token "} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("examples/hello printed %q, missing %q", out, want)
		}
	}
}
