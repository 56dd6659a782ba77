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

// Lock is a distributed mutual-exclusion lock under a path, reentrant per Lock value (as
// Curator's InterProcessMutex per thread, and the Python and Java locks per object): Lock on a
// value that holds it counts one more hold, and only the Unlock matching the first Lock deletes
// the node. Go has no thread identity, so a Lock value belongs to one goroutine at a time; use one
// Lock value per contender. The lock is lost if the session
// expires: Events tells the holder at once (Suspended, then Lost or Reconnected).
type Lock struct {
	client *paddock.Client
	path   string
	acl    []paddock.ACL
	data   []byte
	marker string // LockMarker, or LatchMarker for a leader latch
	// markers and holds are set by the read-write lock: names sort by the digits after any of
	// markers, and holds decides from the sorted names whether ours holds or which to watch.
	markers   []string
	holds     func(sorted []string, ours int) (bool, int)
	node      string    // full path of our contender node while held
	czxid     int64     // our node's creation zxid while held
	session   *follower // the session's events while held
	holdCount int       // Lock calls not yet matched by Unlock (reentrancy)
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

// Sequence is the sequence number of the holder's node while held (-1 otherwise): the digits
// after the marker, which also grow from one holder to the next.
func (l *Lock) Sequence() int64 {
	if l.node == "" {
		return -1
	}
	seq, ok := SequenceAfter(l.node[strings.LastIndexByte(l.node, '/')+1:], l.marker)
	if !ok {
		return -1
	}
	return seq
}

// Events delivers what happens to the session while the lock is held: Suspended the moment the
// connection drops (stop acting on the lock: it may be gone), Reconnected when the same session
// resumes (still held), Lost when the session expired or closed (the node is gone; the next
// waiter acquires only then). It is nil before Lock and closes at Unlock or after Lost.
func (l *Lock) Events() <-chan ConnectionEvent {
	if l.session == nil {
		return nil
	}
	return l.session.events
}

// Held reports whether the lock is held and the session connected (false once Suspended or Lost).
func (l *Lock) Held() bool {
	return l.node != "" && !l.session.isLost() && l.client.State() == paddock.StateConnected
}

// HoldCount is the number of Lock calls not yet matched by Unlock (0 when not held).
func (l *Lock) HoldCount() int { return l.holdCount }

// Lock blocks until the lock is held or ctx is done. On error the contender node is removed. On a
// Lock that already holds it, Lock only counts one more hold (reentrancy; see Lock).
func (l *Lock) Lock(ctx context.Context) error {
	if l.node != "" {
		if l.session.isLost() {
			return fmt.Errorf("recipes: lock %s was lost with its session: Unlock it before locking again", l.path)
		}
		l.holdCount++
		return nil
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
	l.session = follow(l.client)
	l.holdCount = 1
	return nil
}

// Unlock releases one hold; the last one releases the lock by deleting the contender node.
func (l *Lock) Unlock(ctx context.Context) error {
	if l.node == "" {
		return fmt.Errorf("recipes: lock %s is not held", l.path)
	}
	if l.holdCount > 1 {
		l.holdCount--
		return nil
	}
	err := l.client.Delete(ctx, l.node, paddock.AnyVersion)
	// After Lost the node went with the session: nothing is left to release.
	if err != nil && !errors.Is(err, paddock.ErrNoNode) && !l.session.isLost() {
		return err
	}
	l.node, l.czxid, l.holdCount = "", 0, 0
	l.session.stop()
	l.session = nil
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
