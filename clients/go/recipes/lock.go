// Package recipes holds coordination recipes built on the paddock client, in the node layouts of
// Apache Curator shared by every Paddock client language (docs/RECIPES.md), so processes written
// in different languages, and Curator itself, contend for the same lock: each contender creates
// an EPHEMERAL_SEQUENTIAL node "<path>/_c_<uuid>-lock-<seq>" and owns the lock when its node has
// the lowest sequence; otherwise it watches only its predecessor (no herd effect).
package recipes

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// cleanupTimeout bounds the delete of our node when Lock is abandoned.
const cleanupTimeout = 5 * time.Second

// Lock is a distributed mutual-exclusion lock under a path. A Lock value is held by one
// goroutine at a time; use one Lock value per contender. The lock is lost if the session
// expires (watch Client.States for StateExpired).
type Lock struct {
	client *paddock.Client
	path   string
	acl    []paddock.ACL
	data   []byte
	marker string // LockMarker, or LatchMarker for a leader latch
	// markers and holds are set by the read-write lock: names sort by the digits after any of
	// markers, and holds decides from the sorted names whether ours holds or which to watch.
	markers []string
	holds   func(sorted []string, ours int) (bool, int)
	node    string // full path of our contender node while held
	czxid   int64  // our node's creation zxid while held
}

// NewLock returns a lock on path; acl is used for the contender nodes and for any missing
// parents (nil means OpenACLUnsafe).
func NewLock(c *paddock.Client, path string, acl []paddock.ACL) *Lock {
	return &Lock{client: c, path: strings.TrimSuffix(path, "/"), acl: acl, marker: LockMarker}
}

// WithData sets the data stored in the contender node (for example the owner's id).
func (l *Lock) WithData(data []byte) *Lock {
	l.data = data
	return l
}

// Node is the full path of the contender node while the lock is held ("" otherwise).
func (l *Lock) Node() string { return l.node }

// FencingToken is the creation zxid of the holder's node while held (0 otherwise): a later
// holder always has a larger one, so a downstream store can refuse writes carrying a smaller one.
func (l *Lock) FencingToken() int64 { return l.czxid }

// Lock blocks until the lock is held or ctx is done. On error the contender node is removed.
func (l *Lock) Lock(ctx context.Context) error {
	if l.node != "" {
		return fmt.Errorf("recipes: lock %s already held by this Lock", l.path)
	}
	node, err := l.createNode(ctx)
	if err != nil {
		return err
	}
	if err := l.waitFirst(ctx, node); err != nil {
		cctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if derr := l.client.Delete(cctx, node, paddock.AnyVersion); derr != nil && !errors.Is(derr, paddock.ErrNoNode) {
			return errors.Join(err, fmt.Errorf("recipes: remove contender node %s: %w", node, derr))
		}
		return err
	}
	l.node = node
	if ok, st, err := l.client.Exists(ctx, node); err == nil && ok {
		l.czxid = st.Czxid
	}
	return nil
}

// Unlock releases the lock by deleting the contender node.
func (l *Lock) Unlock(ctx context.Context) error {
	if l.node == "" {
		return fmt.Errorf("recipes: lock %s is not held", l.path)
	}
	err := l.client.Delete(ctx, l.node, paddock.AnyVersion)
	if err != nil && !errors.Is(err, paddock.ErrNoNode) {
		return err
	}
	l.node, l.czxid = "", 0
	return nil
}

// createNode creates our EPHEMERAL_SEQUENTIAL node, creating missing parents. If the create's
// reply is lost (ConnectionLoss) it may still have happened: we find our node by its protection
// prefix instead of creating a second one (Curator's withProtection).
func (l *Lock) createNode(ctx context.Context) (string, error) {
	protection := protectedPrefix()
	prefix := l.path + "/" + protection + l.marker
	for {
		node, err := l.client.Create(ctx, prefix, l.data, paddock.ModeEphemeralSequential, l.acl)
		switch {
		case err == nil:
			return node, nil
		case errors.Is(err, paddock.ErrNoNode):
			if err := ensurePath(ctx, l.client, l.path, l.acl); err != nil {
				return "", err
			}
		case errors.Is(err, paddock.ErrConnectionLoss):
			if node, ferr := l.findOwnNode(ctx, protection); ferr == nil && node != "" {
				return node, nil
			} else if ferr != nil && !errors.Is(ferr, paddock.ErrConnectionLoss) {
				return "", ferr
			}
		default:
			return "", err
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
	}
}

func (l *Lock) findOwnNode(ctx context.Context, protection string) (string, error) {
	children, _, err := l.client.GetChildren(ctx, l.path)
	if err != nil {
		return "", err
	}
	for _, name := range children {
		if strings.HasPrefix(name, protection) {
			return l.path + "/" + name, nil
		}
	}
	return "", nil
}

// waitFirst returns once node is the lowest contender, watching only its predecessor.
func (l *Lock) waitFirst(ctx context.Context, node string) error {
	name := node[strings.LastIndexByte(node, '/')+1:]
	for {
		children, _, err := l.client.GetChildren(ctx, l.path)
		if err != nil {
			return err
		}
		markers := l.markers
		if markers == nil {
			markers = []string{l.marker}
		}
		sorted := sortByMarkers(children, markers)
		idx := indexOf(sorted, name)
		if idx < 0 {
			return fmt.Errorf("recipes: contender node %s vanished (session expired?): %w", node, paddock.ErrNoNode)
		}
		holds, watch := idx == 0, idx-1
		if l.holds != nil {
			holds, watch = l.holds(sorted, idx)
		}
		if holds {
			return nil
		}
		pred := l.path + "/" + sorted[watch]
		ok, _, ch, err := l.client.ExistsW(ctx, pred)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		select {
		case ev := <-ch:
			if ev.Type == paddock.EventNotWatching {
				return ev.Err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func indexOf(xs []string, x string) int {
	for i, s := range xs {
		if s == x {
			return i
		}
	}
	return -1
}

// ensurePath creates path and its missing ancestors as persistent nodes.
func ensurePath(ctx context.Context, c *paddock.Client, path string, acl []paddock.ACL) error {
	if path == "" || path == "/" {
		return nil
	}
	i := 0
	for {
		j := strings.IndexByte(path[i+1:], '/')
		end := len(path)
		if j >= 0 {
			end = i + 1 + j
		}
		_, err := c.Create(ctx, path[:end], nil, paddock.ModePersistent, acl)
		if err != nil && !errors.Is(err, paddock.ErrNodeExists) {
			return fmt.Errorf("recipes: create %s: %w", path[:end], err)
		}
		if end == len(path) {
			return nil
		}
		i = end
	}
}
