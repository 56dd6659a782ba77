package paddock_test

import (
	"errors"
	"fmt"
	"sort"
	"testing"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// GetAllChildrenNumber counts every descendant; GetEphemerals lists only this session's
// ephemerals under the prefix; MultiRead answers each read by itself, a missing node included.
func TestGetAllChildrenNumberEphemeralsAndMultiRead(t *testing.T) {
	ctx := testCtx(t)
	c, other := connect(t), connect(t)
	r := root(t, c)
	create(t, c, r+"/a", []byte("A"), paddock.ModePersistent)
	create(t, c, r+"/a/b", nil, paddock.ModePersistent)
	create(t, c, r+"/a/e1", nil, paddock.ModeEphemeral)
	create(t, c, r+"/e2", nil, paddock.ModeEphemeral)
	create(t, other, r+"/theirs", nil, paddock.ModeEphemeral)
	n, err := c.GetAllChildrenNumber(ctx, r)
	if err != nil || n != 5 {
		t.Fatalf("GetAllChildrenNumber(%s) = %d %v, want 5", r, n, err)
	}
	if _, err := c.GetAllChildrenNumber(ctx, r+"/missing"); !errors.Is(err, paddock.ErrNoNode) {
		t.Fatalf("GetAllChildrenNumber of a missing node: %v", err)
	}
	eph, err := c.GetEphemerals(ctx, r)
	sort.Strings(eph)
	if err != nil || fmt.Sprint(eph) != fmt.Sprint([]string{r + "/a/e1", r + "/e2"}) {
		t.Fatalf("GetEphemerals(%s) = %v %v", r, eph, err)
	}
	res, err := c.MultiRead(ctx, &paddock.GetDataRead{Path: r + "/a"}, &paddock.GetChildrenRead{Path: r + "/a"},
		&paddock.GetDataRead{Path: r + "/missing"})
	if err != nil || len(res) != 3 {
		t.Fatalf("MultiRead = %v %v", res, err)
	}
	kids := res[1].Children
	sort.Strings(kids)
	if string(res[0].Data) != "A" || res[0].Stat.NumChildren != 2 || fmt.Sprint(kids) != "[b e1]" || res[0].Err != nil {
		t.Fatalf("MultiRead results %+v %+v", res[0], res[1])
	}
	if !errors.Is(res[2].Err, paddock.ErrNoNode) {
		t.Fatalf("MultiRead of a missing node: %v", res[2].Err)
	}
}

// A real server's BadVersion reads "paddock: BadVersion <path>: expected 0, is 1": the code and
// the path once each (issue 17's example repeated them).
func TestServerErrorTextSaysEachFactOnce(t *testing.T) {
	ctx := testCtx(t)
	c := connect(t)
	p := root(t, c) + "/config"
	create(t, c, p, nil, paddock.ModePersistent)
	_, err := c.SetData(ctx, p, []byte("x"), 0)
	noErr(t, err)
	_, err = c.SetData(ctx, p, []byte("y"), 0)
	if want := "paddock: BadVersion " + p + ": expected 0, is 1"; err == nil || err.Error() != want {
		t.Fatalf("stale SetData: %v, want %q", err, want)
	}
}
