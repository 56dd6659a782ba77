package paddock_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

func childName(n int) string { return fmt.Sprintf("c%06d", n) }

// createChildren creates parent/name for every name, a thousand per Multi.
func createChildren(t *testing.T, c *paddock.Client, parent string, names []string) {
	t.Helper()
	for chunk := range slices.Chunk(names, 1000) {
		ops := make([]paddock.Op, len(chunk))
		for i, n := range chunk {
			ops[i] = &paddock.CreateOp{Path: parent + "/" + n}
		}
		if _, err := c.Multi(testCtx(t), ops...); err != nil {
			t.Fatalf("create %d children of %s: %v", len(chunk), parent, err)
		}
	}
}

// The listing stays exact while children change between pages: a child created or deleted behind
// the cursor changes nothing, one created ahead appears, one deleted ahead does not.
func TestListChildrenExactUnderChanges(t *testing.T) {
	ctx := testCtx(t)
	c := connect(t)
	r := root(t, c)
	// Even numbers only: odd ones are free to be created between pages, on either side of the cursor.
	expected := map[string]bool{}
	var initial []string
	for i := range 10_000 {
		initial = append(initial, childName(2*i))
		expected[childName(2*i)] = true
	}
	createChildren(t, c, r, initial)

	var seen []string
	token, pages := "", 0
	for {
		page, err := c.GetChildrenPage(ctx, r, paddock.PageOptions{PageSize: 700, PageToken: token})
		noErr(t, err)
		pages++
		if len(page.Children) > 700 {
			t.Fatalf("page of %d names, asked for 700", len(page.Children))
		}
		seen = append(seen, page.Children...)
		token = page.NextPageToken
		if token == "" {
			break
		}
		var last int
		_, err = fmt.Sscanf(page.Children[len(page.Children)-1], "c%d", &last)
		noErr(t, err)
		create(t, c, r+"/"+childName(last-1), nil, paddock.ModePersistent)   // behind: never listed
		noErr(t, c.Delete(ctx, r+"/"+childName(last-2), paddock.AnyVersion)) // behind: already listed
		create(t, c, r+"/"+childName(last+3), nil, paddock.ModePersistent)   // ahead: listed
		expected[childName(last+3)] = true
		noErr(t, c.Delete(ctx, r+"/"+childName(last+4), paddock.AnyVersion)) // ahead: not listed
		delete(expected, childName(last+4))
	}
	if pages < 15 {
		t.Fatalf("%d pages for 10,000 children at 700 a page", pages)
	}
	want := make([]string, 0, len(expected))
	for n := range expected {
		want = append(want, n)
	}
	slices.Sort(want)
	if !slices.Equal(seen, want) {
		t.Fatalf("listed %d names, want %d (first difference at %d)", len(seen), len(want), firstDiff(seen, want))
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// ListChildren walks every page; a prefix filters, a start token resumes after a name; counting
// needs no names.
func TestListChildrenPrefixTokenAndCount(t *testing.T) {
	ctx := testCtx(t)
	c := connect(t)
	r := root(t, c)
	var names []string
	for i := range 250 {
		names = append(names, fmt.Sprintf("job-%03d", i), fmt.Sprintf("lock-%03d", i))
	}
	createChildren(t, c, r, names)

	var jobs []string
	it := c.ListChildren(ctx, r, paddock.PageOptions{PageSize: 40, Prefix: "job-"})
	for it.Next() {
		jobs = append(jobs, it.Name())
	}
	noErr(t, it.Err())
	if len(jobs) != 250 || jobs[0] != "job-000" || jobs[249] != "job-249" || !slices.IsSorted(jobs) {
		t.Fatalf("jobs: %d names, %v…", len(jobs), jobs[:min(3, len(jobs))])
	}

	// A page's token as the start: the rest of the listing, after that page's last name.
	first, err := c.GetChildrenPage(ctx, r, paddock.PageOptions{PageSize: 100})
	noErr(t, err)
	var rest []string
	for name, err := range c.ListChildren(ctx, r, paddock.PageOptions{PageSize: 64, PageToken: first.NextPageToken}).All() {
		noErr(t, err)
		rest = append(rest, name)
	}
	all := slices.Sorted(slices.Values(names))
	if !slices.Equal(append(first.Children, rest...), all) {
		t.Fatalf("first page + rest: %d names, want %d", len(first.Children)+len(rest), len(all))
	}

	n, err := c.CountChildren(ctx, r, "")
	noErr(t, err)
	locks, err := c.CountChildren(ctx, r, "lock-")
	noErr(t, err)
	none, err := c.CountChildren(ctx, r, "zzz")
	noErr(t, err)
	if n != 500 || locks != 250 || none != 0 {
		t.Fatalf("counts: all %d (want 500), lock- %d (want 250), zzz %d (want 0)", n, locks, none)
	}
	if _, err := c.CountChildren(ctx, r+"/missing", ""); !errors.Is(err, paddock.ErrNoNode) {
		t.Fatalf("count of a missing node: %v, want NoNode", err)
	}
}

// Bad arguments come back as BadArguments naming the value; the iterator stops with the error.
func TestChildrenPageErrorsNameTheValue(t *testing.T) {
	ctx := testCtx(t)
	c := connect(t)
	r := root(t, c)
	create(t, c, r+"/a", nil, paddock.ModePersistent)

	_, err := c.GetChildrenPage(ctx, r, paddock.PageOptions{PageToken: "not-a-token"})
	if !errors.Is(err, paddock.ErrBadArguments) || !strings.Contains(err.Error(), `"not-a-token"`) || !strings.Contains(err.Error(), r) {
		t.Fatalf("bad token: %v, want BadArguments naming the token and %s", err, r)
	}
	_, err = c.GetChildrenPage(ctx, r, paddock.PageOptions{PageSize: -3})
	if !errors.Is(err, paddock.ErrBadArguments) || !strings.Contains(err.Error(), "-3") {
		t.Fatalf("page size -3: %v, want BadArguments naming it", err)
	}
	it := c.ListChildren(ctx, r, paddock.PageOptions{PageToken: "not-a-token"})
	if it.Next() || !errors.Is(it.Err(), paddock.ErrBadArguments) {
		t.Fatalf("iterator with a bad token: next=%v err=%v", it.Next(), it.Err())
	}
	it = c.ListChildren(ctx, r+"/missing", paddock.PageOptions{})
	if it.Next() || !errors.Is(it.Err(), paddock.ErrNoNode) {
		t.Fatalf("iterator on a missing node: err=%v, want NoNode", it.Err())
	}
}
