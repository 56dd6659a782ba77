package recipes

import (
	"context"
	"errors"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// LeaderElection elects one leader among candidates under a path. It is the Lock recipe with the
// candidate's id as node data: the leader is the holder of the lock, so Leader can name it and
// candidates in other languages (same "<path>/lock-<seq>" scheme) take part in the same election.
type LeaderElection struct {
	lock *Lock
}

// NewLeaderElection returns a candidate with this id (stored in its node, read by Leader).
func NewLeaderElection(c *paddock.Client, path string, id []byte) *LeaderElection {
	return &LeaderElection{lock: NewLock(c, path, nil).WithData(id)}
}

// Campaign blocks until this candidate is the leader or ctx is done.
func (e *LeaderElection) Campaign(ctx context.Context) error { return e.lock.Lock(ctx) }

// Resign gives up the leadership.
func (e *LeaderElection) Resign(ctx context.Context) error { return e.lock.Unlock(ctx) }

// IsLeader reports whether this candidate won Campaign and has not resigned. It does not notice
// an expired session by itself: watch Client.States for StateExpired.
func (e *LeaderElection) IsLeader() bool { return e.lock.node != "" }

// Leader returns the current leader's id (the data of the lowest contender node), or
// paddock.ErrNoNode when there is no candidate.
func Leader(ctx context.Context, c *paddock.Client, path string) ([]byte, error) {
	for {
		children, _, err := c.GetChildren(ctx, path)
		if err != nil {
			return nil, err
		}
		sorted := sortContenders(children)
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
