// Scenario runner on go-zookeeper (github.com/go-zookeeper/zk, pinned in go.mod).
// Run: zk-go-runner CONNECT ROOT SCENARIOS.json NAME...  (scripts/install-zk-clients.sh builds it)
// Prints one JSON object per step (see ../README.md). The event callback runs on the client's
// receive loop before later replies are handed over, so the events logged when a call returns are
// those received before its reply (the API has no hook on the reply itself; scripts never leave a
// write of another session in flight, so no later event can slip in).
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"
)

// No addWatch, removeWatches, getEphemerals, getAllChildrenNumber, whoAmI or session resume in v1.0.4.
var features = map[string]bool{"sync": true, "container": true, "ttl": true}

const deadline = 10 * time.Second

type step map[string]any

type session struct {
	name   string
	conn   *zk.Conn
	mu     sync.Mutex
	cond   *sync.Cond
	events []zk.Event
	states []zk.State
}

var (
	connect, base string
	codes         map[string]string
	rootMade      bool
	out           = json.NewEncoder(os.Stdout)
)

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

func open(name string) (*session, error) {
	s := &session{name: name}
	s.cond = sync.NewCond(&s.mu)
	cb := func(e zk.Event) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if e.Type == zk.EventSession {
			s.states = append(s.states, e.State)
		} else {
			s.events = append(s.events, e)
		}
		s.cond.Broadcast()
	}
	conn, ch, err := zk.Connect(strings.Split(connect, ","), 10*time.Second, zk.WithEventCallback(cb), zk.WithLogger(nopLogger{}))
	if err != nil {
		return nil, err
	}
	go func() {
		for range ch { // the session channel must be drained; the callback already recorded it
		}
	}()
	s.conn = conn
	if !s.waitFor(func() bool { return contains(s.states, zk.StateHasSession) }) {
		return nil, errors.New("no session in time")
	}
	return s, nil
}

func contains(states []zk.State, st zk.State) bool {
	for _, x := range states {
		if x == st {
			return true
		}
	}
	return false
}

// waitFor waits, with the deadline, until done() holds (called with s.mu held).
func (s *session) waitFor(done func() bool) bool {
	timer := time.AfterFunc(deadline, func() { s.mu.Lock(); s.cond.Broadcast(); s.mu.Unlock() })
	defer timer.Stop()
	end := time.Now().Add(deadline)
	s.mu.Lock()
	defer s.mu.Unlock()
	for !done() {
		if time.Now().After(end) {
			return false
		}
		s.cond.Wait()
	}
	return true
}

func (s *session) flush(max int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for len(s.events) > 0 && (max < 0 || n < max) {
		printEvent(s, s.events[0])
		s.events = s.events[1:]
		n++
	}
	return n
}

var eventNames = map[zk.EventType]string{zk.EventNodeCreated: "NodeCreated", zk.EventNodeDeleted: "NodeDeleted",
	zk.EventNodeDataChanged: "NodeDataChanged", zk.EventNodeChildrenChanged: "NodeChildrenChanged"}

func printEvent(s *session, e zk.Event) {
	name, ok := eventNames[e.Type]
	if !ok {
		name = fmt.Sprintf("Type%d", e.Type)
	}
	_ = out.Encode(map[string]any{"event": name, "s": s.name, "path": rel(e.Path)})
}

func full(p string) string {
	if p == "/" {
		return base
	}
	return base + p
}

func rel(p string) string {
	if p == base {
		return "/"
	}
	if strings.HasPrefix(p, base+"/") {
		return p[len(base):]
	}
	return p
}

func stat(st *zk.Stat) any {
	if st == nil {
		return nil
	}
	return map[string]any{"czxid": strconv.FormatInt(st.Czxid, 10), "mzxid": strconv.FormatInt(st.Mzxid, 10),
		"pzxid": strconv.FormatInt(st.Pzxid, 10), "ctime": st.Ctime, "mtime": st.Mtime, "version": st.Version,
		"cversion": st.Cversion, "aversion": st.Aversion, "ephemeralOwner": strconv.FormatInt(st.EphemeralOwner, 10),
		"dataLength": st.DataLength, "numChildren": st.NumChildren}
}

func acl(a any) []zk.ACL {
	list, ok := a.([]any)
	if !ok {
		return zk.WorldACL(zk.PermAll)
	}
	var res []zk.ACL
	for _, x := range list {
		m := x.(map[string]any)
		res = append(res, zk.ACL{Perms: int32(m["perms"].(float64)), Scheme: m["scheme"].(string), ID: m["id"].(string)})
	}
	return res
}

var modes = map[string]int32{"persistent": zk.FlagPersistent, "ephemeral": zk.FlagEphemeral,
	"persistent_sequential": zk.FlagSequence, "ephemeral_sequential": zk.FlagEphemeralSequential,
	"container": zk.FlagContainer, "persistent_with_ttl": zk.FlagTTL,
	"persistent_sequential_with_ttl": zk.FlagPersistentSequentialWithTTL}

func str(st step, k, def string) string {
	if v, ok := st[k].(string); ok {
		return v
	}
	return def
}

func num(st step, k string, def int) int {
	if v, ok := st[k].(float64); ok {
		return int(v)
	}
	return def
}

// Go's errors are values; these are the codes behind them (unknown codes print as "unknown error: N").
var errCodes = map[error]int{zk.ErrAPIError: -100, zk.ErrNoNode: -101, zk.ErrNoAuth: -102, zk.ErrBadVersion: -103,
	zk.ErrNoChildrenForEphemerals: -108, zk.ErrNodeExists: -110, zk.ErrNotEmpty: -111, zk.ErrSessionExpired: -112,
	zk.ErrInvalidACL: -114, zk.ErrAuthFailed: -115, zk.ErrClosing: -116, zk.ErrNothing: -117, zk.ErrSessionMoved: -118,
	zk.ErrReconfigDisabled: -123, zk.ErrBadArguments: -8}

// codeName names a server error, or reports false for anything else (a client-side refusal).
func codeName(err error) (string, bool) {
	if c, ok := errCodes[err]; ok {
		return codes[strconv.Itoa(c)], true
	}
	var n int
	if _, e := fmt.Sscanf(err.Error(), "unknown error: %d", &n); e == nil {
		if name, ok := codes[strconv.Itoa(n)]; ok {
			return name, true
		}
	}
	return "", false
}
