package paddock_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
	"github.com/paddock-dev/paddock/clients/go/internal/testserver"
)

var superAuth = paddock.WithAuth("digest", []byte("super:secret"))

// wantError checks err is the *paddock.Error with code and a message containing text.
func wantError(t *testing.T, err error, sentinel *paddock.Error, text string) {
	t.Helper()
	var pe *paddock.Error
	if !errors.Is(err, sentinel) || !errors.As(err, &pe) {
		t.Fatalf("got %v, want %v", err, sentinel.Code)
	}
	if !strings.Contains(pe.Message, text) || !strings.Contains(err.Error(), sentinel.Code.String()) {
		t.Fatalf("error %q (message %q): want %s and %q", err, pe.Message, sentinel.Code, text)
	}
}

func TestReconfigRefusedOnAStandaloneServer(t *testing.T) {
	// The shared server runs without reconfigEnabled: ReconfigDisabled, as ZooKeeper.
	c := connect(t, superAuth)
	_, _, err := c.IncrementalReconfig(testCtx(t), nil, []string{"2"}, paddock.AnyConfig)
	wantError(t, err, paddock.ErrReconfigDisabled, "reconfigEnabled=true")

	// With it, a standalone server still cannot change members: Unimplemented.
	s, err := testserver.Start("reconfigEnabled=true", "superDigest="+paddock.DigestID("super", "secret"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	c2 := connectTo(t, s.Addr, superAuth)
	_, _, err = c2.Reconfig(testCtx(t), []string{"server.1=127.0.0.1:2888:3888;2181"}, paddock.AnyConfig)
	wantError(t, err, paddock.ErrUnimplemented, "runs standalone")
}

var serverID = regexp.MustCompile(`(?m)^server\.(\d+)=`)

func ids(config []byte) []int {
	var out []int
	for _, m := range serverID.FindAllSubmatch(config, -1) {
		n, _ := strconv.Atoi(string(m[1]))
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// versionOf checks the config's version= line is the Stat's mzxid in hex, and returns it.
func versionOf(t *testing.T, config []byte, st *paddock.Stat) int64 {
	t.Helper()
	v, ok := paddock.ConfigVersion(config)
	if !ok || v != st.Mzxid {
		t.Fatalf("config %q: version %x (ok %v), mzxid %x", config, v, ok, st.Mzxid)
	}
	return v
}

func TestReconfigOnAThreeMemberEnsemble(t *testing.T) {
	e, err := testserver.StartEnsemble(3, "reconfigEnabled=true", "superDigest="+paddock.DigestID("super", "secret"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	leader := e.Member(e.Leader)
	var follower testserver.Member
	for _, m := range e.Members {
		if m.ID != e.Leader {
			follower = m
			break
		}
	}
	c := connectTo(t, leader.Address, superAuth)
	ctx := testCtx(t)
	initial, st, err := c.GetData(ctx, "/zookeeper/config")
	noErr(t, err)
	v0 := versionOf(t, initial, st)

	// Incremental: the follower leaves; the returned config no longer lists it.
	removed, st, err := c.IncrementalReconfig(ctx, nil, []string{strconv.Itoa(follower.ID)}, v0)
	noErr(t, err)
	if got, want := ids(removed), slices.DeleteFunc([]int{1, 2, 3}, func(id int) bool { return id == follower.ID }); !slices.Equal(got, want) {
		t.Fatalf("after leaving %d: members %v in %q", follower.ID, got, removed)
	}
	v1 := versionOf(t, removed, st)
	if v1 <= v0 {
		t.Fatalf("version %x after %x", v1, v0)
	}

	// A change from the configuration that is no longer current: BadVersion.
	_, _, err = c.IncrementalReconfig(ctx, []string{follower.Line}, nil, v0)
	wantError(t, err, paddock.ErrBadVersion, fmt.Sprintf("version %x", v0))

	// Incremental: it joins again, with its client port.
	added, st, err := c.IncrementalReconfig(ctx, []string{follower.Line}, nil, v1)
	noErr(t, err)
	if got := ids(added); !slices.Equal(got, []int{1, 2, 3}) || !strings.Contains(string(added), follower.Line+"\n") {
		t.Fatalf("after joining %q: %q", follower.Line, added)
	}
	v2 := versionOf(t, added, st)

	// Bulk: the members without the follower, then with it again.
	var lines []string
	for _, line := range strings.Split(string(added), "\n") {
		if strings.HasPrefix(line, "server.") {
			lines = append(lines, line)
		}
	}
	without := slices.DeleteFunc(slices.Clone(lines), func(l string) bool { return l == follower.Line })
	bulk, st, err := c.Reconfig(ctx, without, v2)
	noErr(t, err)
	if len(ids(bulk)) != 2 {
		t.Fatalf("bulk without %d: %q", follower.ID, bulk)
	}
	back, _, err := c.Reconfig(ctx, lines, paddock.AnyConfig)
	noErr(t, err)
	if !slices.Equal(ids(back), []int{1, 2, 3}) || versionOf(t, bulk, st) >= mustVersion(t, back) {
		t.Fatalf("bulk with %d again: %q", follower.ID, back)
	}

	// The re-added member serves the same configuration.
	fc := connectTo(t, follower.Address)
	noErr(t, pollConfig(t, fc, back))
}

func mustVersion(t *testing.T, config []byte) int64 {
	t.Helper()
	v, ok := paddock.ConfigVersion(config)
	if !ok {
		t.Fatalf("no version in %q", config)
	}
	return v
}

// pollConfig waits (sync, then read, until a deadline) for c's server to show config.
func pollConfig(t *testing.T, c *paddock.Client, config []byte) error {
	t.Helper()
	ctx := testCtx(t)
	var last []byte
	for ctx.Err() == nil {
		if _, err := c.Sync(ctx, "/zookeeper/config"); err == nil {
			if got, _, err := c.GetData(ctx, "/zookeeper/config"); err == nil && string(got) == string(config) {
				return nil
			} else if err == nil {
				last = got
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond): // between polls, bounded by ctx's deadline
		}
	}
	return fmt.Errorf("config %q, want %q", last, config)
}
