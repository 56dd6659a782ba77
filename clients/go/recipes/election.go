package recipes

import (
	"context"
	"errors"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// LeaderElection elects one leader among candidates under a path, in Curator's LeaderLatch
// layout: each candidate creates "<path>/_c_<uuid>-latch-<seq>" (ephemeral sequential, data = its
// id); the lowest sequence leads; the others watch only their predecessor. Resign deletes the node
// and hands leadership to the next candidate, whatever language (or Curator) it runs in.
type LeaderElection struct {
	lock *Lock
}

// NewLeaderElection returns a candidate with this id (stored in its node, read by Leader).
func NewLeaderElection(c *paddock.Client, path string, id []byte) *LeaderElection {
	l := NewLock(c, path, nil).WithData(id)
	l.marker = LatchMarker
	return &LeaderElection{lock: l}
}

// Campaign blocks until this candidate is the leader or ctx is done.
func (e *LeaderElection) Campaign(ctx context.Context) error { return e.lock.Lock(ctx) }

// Resign gives up the leadership.
func (e *LeaderElection) Resign(ctx context.Context) error { return e.lock.Unlock(ctx) }

// IsLeader reports whether this candidate won Campaign, has not resigned and its session is
// connected: leadership is given up on Suspended (Curator's default) and gone on Lost.
func (e *LeaderElection) IsLeader() bool { return e.lock.Held() }

// Events delivers Suspended, Reconnected and Lost while leading (see Lock.Events): on Suspended
// stop acting as the leader; after Lost the next candidate leads.
func (e *LeaderElection) Events() <-chan ConnectionEvent { return e.lock.Events() }

// FencingToken is the creation zxid of the leader's node while leading (0 otherwise).
func (e *LeaderElection) FencingToken() int64 { return e.lock.czxid }

// Leader returns the current leader's id (the data of the lowest participant node), or
// paddock.ErrNoNode when there is no candidate.
func Leader(ctx context.Context, c *paddock.Client, path string) ([]byte, error) {
	for {
		children, _, err := c.GetChildren(ctx, path)
		if err != nil {
			return nil, err
		}
		sorted := sortByMarker(children, LatchMarker)
		if len(sorted) == 0 {
			return nil, &paddock.Error{Code: paddock.CodeNoNode, Path: path, Message: "no candidate"}
		}
		data, _, err := c.GetData(ctx, path+"/"+sorted[0])
		if errors.Is(err, paddock.ErrNoNode) {
			continue // the leader just left: look again
		}
		return data, err
	}
}
