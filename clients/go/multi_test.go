package paddock_test

import (
	"errors"
	"strings"
	"testing"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

func TestMultiSuccess(t *testing.T) {
	ctx := testCtx(t)
	c := connect(t)
	r := root(t, c)
	create(t, c, r+"/old", nil, paddock.ModePersistent)
	res, err := c.Multi(ctx,
		&paddock.CreateOp{Path: r + "/a", Data: []byte("x")},
		&paddock.CreateOp{Path: r + "/s-", Mode: paddock.ModePersistentSequential},
		&paddock.SetDataOp{Path: r + "/a", Data: []byte("y"), Version: 0},
		&paddock.CheckOp{Path: r + "/a", Version: 1},
		&paddock.DeleteOp{Path: r + "/old", Version: paddock.AnyVersion},
	)
	noErr(t, err)
	if len(res) != 5 {
		t.Fatalf("%d results, want 5", len(res))
	}
	if res[0].Path != r+"/a" || !strings.HasPrefix(res[1].Path, r+"/s-") || res[2].Stat == nil || res[2].Stat.Version != 1 {
		t.Fatalf("results %+v", res)
	}
	for i, x := range res {
		if x.Err != nil {
			t.Fatalf("result %d: %v", i, x.Err)
		}
	}
	data, _, err := c.GetData(ctx, r+"/a")
	if err != nil || string(data) != "y" {
		t.Fatalf("after multi: %q %v", data, err)
	}
}

// ZooKeeper: a failed multi applies nothing; results are OK before the failing op, its error,
// RuntimeInconsistency after.
func TestMultiFailure(t *testing.T) {
	ctx := testCtx(t)
	c := connect(t)
	r := root(t, c)
	create(t, c, r+"/v", nil, paddock.ModePersistent)
	res, err := c.Multi(ctx,
		&paddock.CreateOp{Path: r + "/x"},
		&paddock.CheckOp{Path: r + "/v", Version: 5},
		&paddock.CreateOp{Path: r + "/y"},
	)
	// The multi's error is the failing op's code (ZooKeeper's multi exception carries no path).
	if !errors.Is(err, paddock.ErrBadVersion) {
		t.Fatalf("Multi error %v, want BadVersion", err)
	}
	if len(res) != 3 {
		t.Fatalf("%d results, want 3: %+v", len(res), res)
	}
	if res[0].Err != nil || !errors.Is(res[1].Err, paddock.ErrBadVersion) || !errors.Is(res[2].Err, paddock.ErrRuntimeInconsistency) {
		t.Fatalf("per-op results %+v", res)
	}
	for _, p := range []string{r + "/x", r + "/y"} {
		if ok, _, _ := c.Exists(ctx, p); ok {
			t.Fatalf("%s exists after a failed multi", p)
		}
	}
}
