package recipes

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// TreeListener hears each change of a TreeCache: kind is "added", "updated" or "removed" (data
// nil). It runs on the cache's goroutine, in order.
type TreeListener func(kind, path string, data []byte)

// TreeCache keeps the subtree under a path in memory (Curator's CuratorCache) from one persistent
// recursive watch on its root: each event re-reads the node it names, and after a reconnect the
// whole subtree is read again and the differences reported, so no update is missed across a
// disconnection.
type TreeCache struct {
	client   *paddock.Client
	path     string
	listener TreeListener
	mu       sync.Mutex
	nodes    map[string]cachedNode
	stop     chan struct{}
	done     chan struct{}
}

type cachedNode struct {
	data  []byte
	mzxid int64
}

const treeReadTimeout = 10 * time.Second

// NewTreeCache returns a cache of the subtree at path; listener may be nil.
func NewTreeCache(c *paddock.Client, path string, listener TreeListener) *TreeCache {
	if path != "/" {
		path = strings.TrimSuffix(path, "/")
	}
	return &TreeCache{client: c, path: path, listener: listener, nodes: map[string]cachedNode{},
		stop: make(chan struct{}), done: make(chan struct{})}
}

// Start watches the subtree, reads it whole, and follows it until Close or the session's end.
func (t *TreeCache) Start(ctx context.Context) error {
	events, err := t.client.AddWatch(ctx, t.path, paddock.AddWatchPersistentRecursive)
	if err != nil {
		return err
	}
	states, unsubscribe := t.client.SubscribeStates()
	if err := t.reload(ctx); err != nil {
		unsubscribe()
		return err
	}
	go t.follow(events, states, unsubscribe)
	return nil
}

// Get returns a cached node's data.
func (t *TreeCache) Get(path string) ([]byte, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, ok := t.nodes[path]
	return n.data, ok
}

// Current returns a copy of the cache: path → data.
func (t *TreeCache) Current() map[string][]byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string][]byte, len(t.nodes))
	for p, n := range t.nodes {
		out[p] = n.data
	}
	return out
}

// Close stops following and removes the watch (the session's other persistent recursive watches
// on the same path go with it).
func (t *TreeCache) Close(ctx context.Context) error {
	select {
	case <-t.stop:
	default:
		close(t.stop)
	}
	<-t.done
	err := t.client.RemoveWatches(ctx, t.path, paddock.WatcherPersistentRecursive)
	if errors.Is(err, paddock.ErrNoWatcher) || errors.Is(err, paddock.ErrClosed) {
		return nil
	}
	return err
}

func (t *TreeCache) follow(events <-chan paddock.Event, states <-chan paddock.State, unsubscribe func()) {
	defer close(t.done)
	defer unsubscribe()
	down := false
	for {
		select {
		case <-t.stop:
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), treeReadTimeout)
			switch ev.Type {
			case paddock.EventNodeCreated, paddock.EventNodeDataChanged:
				_ = t.refresh(ctx, ev.Path) // a failure is a lost connection: the reconnect reloads
			case paddock.EventNodeDeleted:
				t.remove(ev.Path)
			}
			cancel()
		case s, ok := <-states:
			if !ok {
				return
			}
			switch s {
			case paddock.StateDisconnected:
				down = true
			case paddock.StateConnected:
				if down {
					down = false
					ctx, cancel := context.WithTimeout(context.Background(), treeReadTimeout)
					_ = t.reload(ctx) // events may have been missed: read everything again
					cancel()
				}
			}
		}
	}
}

func (t *TreeCache) notify(kind, path string, data []byte) {
	if t.listener != nil {
		t.listener(kind, path, data)
	}
}

func (t *TreeCache) refresh(ctx context.Context, path string) error {
	data, st, err := t.client.GetData(ctx, path)
	if errors.Is(err, paddock.ErrNoNode) {
		t.remove(path)
		return nil
	}
	if err != nil {
		return err
	}
	t.mu.Lock()
	old, had := t.nodes[path]
	if had && old.mzxid >= st.Mzxid {
		t.mu.Unlock()
		return nil // already as new
	}
	t.nodes[path] = cachedNode{data: data, mzxid: st.Mzxid}
	t.mu.Unlock()
	if had {
		t.notify("updated", path, data)
	} else {
		t.notify("added", path, data)
	}
	return nil
}

func (t *TreeCache) remove(path string) {
	prefix := strings.TrimSuffix(path, "/") + "/"
	t.mu.Lock()
	var gone []string
	for p := range t.nodes {
		if p == path || strings.HasPrefix(p, prefix) {
			gone = append(gone, p)
		}
	}
	for _, p := range gone {
		delete(t.nodes, p)
	}
	t.mu.Unlock()
	sort.Sort(sort.Reverse(sort.StringSlice(gone)))
	for _, p := range gone {
		t.notify("removed", p, nil)
	}
}

func (t *TreeCache) reload(ctx context.Context) error {
	fresh := map[string]cachedNode{}
	pending := []string{t.path}
	for len(pending) > 0 {
		p := pending[len(pending)-1]
		pending = pending[:len(pending)-1]
		data, st, err := t.client.GetData(ctx, p)
		if errors.Is(err, paddock.ErrNoNode) {
			continue
		}
		if err != nil {
			return err
		}
		kids, _, err := t.client.GetChildren(ctx, p)
		if errors.Is(err, paddock.ErrNoNode) {
			continue
		}
		if err != nil {
			return err
		}
		fresh[p] = cachedNode{data: data, mzxid: st.Mzxid}
		base := strings.TrimSuffix(p, "/")
		for _, k := range kids {
			pending = append(pending, base+"/"+k)
		}
	}
	t.mu.Lock()
	old := t.nodes
	t.nodes = fresh
	t.mu.Unlock()
	var removed, changed []string
	for p := range old {
		if _, ok := fresh[p]; !ok {
			removed = append(removed, p)
		}
	}
	for p := range fresh {
		changed = append(changed, p)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(removed)))
	sort.Strings(changed)
	for _, p := range removed {
		t.notify("removed", p, nil)
	}
	for _, p := range changed {
		if o, ok := old[p]; !ok {
			t.notify("added", p, fresh[p].data)
		} else if o.mzxid != fresh[p].mzxid {
			t.notify("updated", p, fresh[p].data)
		}
	}
	return nil
}
