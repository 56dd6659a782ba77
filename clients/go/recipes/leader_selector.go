package recipes

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// errLeadershipSuspended and errLeadershipLost are the causes of a leader's cancelled context.
var (
	errLeadershipSuspended = errors.New("recipes: leadership ended: session suspended")
	errLeadershipLost      = errors.New("recipes: leadership ended: session lost")
	errSelectorClosed      = errors.New("recipes: leader selector closed")
)

// TakeLeadership runs while its participant leads; leadership ends when it returns. Its ctx is
// cancelled the moment leadership is taken away (context.Cause says why: suspended, lost, closed).
type TakeLeadership func(ctx context.Context, fencingToken int64) error

// Participant is one queued participant of a LeaderSelector; the first one leads.
type Participant struct {
	ID       string
	IsLeader bool
}

// LeaderSelector is Curator's LeaderSelector: participants queue on an exclusive lock under path
// ("<path>/_c_<uuid>-lock-<seq>", data = the id: the Lock recipe's layout) and the holder runs
// its TakeLeadership. Leadership ends when the callback returns (then, with AutoRequeue, the
// participant queues again) or at once when the session is suspended or lost: the callback's
// context is cancelled and Events tells why.
type LeaderSelector struct {
	client      *paddock.Client
	path        string
	id          []byte
	take        TakeLeadership
	autoRequeue bool
	events      chan ConnectionEvent
	ctx         context.Context
	cancel      context.CancelCauseFunc

	mu       sync.Mutex
	queued   bool
	leading  context.CancelCauseFunc // set while the callback runs and leadership is intact
	session  *follower
	done     chan struct{} // closed when the current queue turn loop ends
	failures []error
}

// NewLeaderSelector returns a participant with this id (stored in its lock node).
func NewLeaderSelector(c *paddock.Client, path string, id []byte, take TakeLeadership) *LeaderSelector {
	ctx, cancel := context.WithCancelCause(context.Background())
	return &LeaderSelector{client: c, path: path, id: id, take: take, ctx: ctx, cancel: cancel,
		events: make(chan ConnectionEvent, eventBuffer)}
}

// AutoRequeue makes the participant queue again each time its leadership ends.
func (s *LeaderSelector) AutoRequeue() *LeaderSelector {
	s.autoRequeue = true
	return s
}

// Start joins the queue.
func (s *LeaderSelector) Start() { s.Requeue() }

// Requeue queues the participant unless it is already queued or leading (false then).
func (s *LeaderSelector) Requeue() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.queued || s.ctx.Err() != nil {
		return false
	}
	if s.session == nil {
		s.session = follow(s.client)
		go s.forward(s.session)
	}
	s.queued = true
	s.done = make(chan struct{})
	go s.turns(s.done)
	return true
}

// HasLeadership reports whether the callback runs with leadership intact.
func (s *LeaderSelector) HasLeadership() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.leading != nil
}

// Events delivers Suspended, Reconnected and Lost for the selector's lifetime; Suspended and
// Lost also end a running leadership.
func (s *LeaderSelector) Events() <-chan ConnectionEvent { return s.events }

// Failures returns and clears the errors of callbacks and of queueing since the last call.
func (s *LeaderSelector) Failures() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.failures
	s.failures = nil
	return out
}

// Close cancels a running callback or a wait in the queue, waits for it, and removes the node.
func (s *LeaderSelector) Close() {
	s.cancel(errSelectorClosed)
	s.mu.Lock()
	done, session := s.done, s.session
	s.mu.Unlock()
	if done != nil {
		<-done
	}
	if session != nil {
		session.stop()
	}
}

// Participants lists the queue in order, the leader first (Curator's getParticipants).
func (s *LeaderSelector) Participants(ctx context.Context) ([]Participant, error) {
	children, _, err := s.client.GetChildren(ctx, s.path)
	if errors.Is(err, paddock.ErrNoNode) {
		return []Participant{}, nil // nobody has queued yet
	}
	if err != nil {
		return nil, err
	}
	out := []Participant{}
	for _, name := range sortByMarker(children, LockMarker) {
		data, _, err := s.client.GetData(ctx, s.path+"/"+name)
		if errors.Is(err, paddock.ErrNoNode) {
			continue // left between the listing and the read
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Participant{ID: string(data), IsLeader: len(out) == 0})
	}
	return out, nil
}

func (s *LeaderSelector) forward(f *follower) {
	for e := range f.events {
		if e != Reconnected {
			cause := errLeadershipSuspended
			if e == Lost {
				cause = errLeadershipLost
			}
			s.mu.Lock()
			if s.leading != nil {
				s.leading(cause)
				s.leading = nil
			}
			s.mu.Unlock()
		}
		sendDroppingOldest(s.events, e)
	}
}

func (s *LeaderSelector) turns(done chan struct{}) {
	defer close(done)
	for s.ctx.Err() == nil && !isTerminal(s.client.State()) {
		if err := s.turn(); err != nil && s.ctx.Err() == nil && !isTerminal(s.client.State()) {
			s.mu.Lock()
			s.failures = append(s.failures, err)
			s.mu.Unlock()
		}
		if !s.autoRequeue {
			break
		}
	}
	s.mu.Lock()
	s.queued = false
	s.mu.Unlock()
}

func (s *LeaderSelector) turn() error {
	lock := NewLock(s.client, s.path, nil).WithData(s.id)
	if err := lock.Lock(s.ctx); err != nil {
		return fmt.Errorf("recipes: leader selector %s: queue: %w", s.path, err)
	}
	defer s.release(lock)
	ctx, cancel := context.WithCancelCause(s.ctx)
	defer cancel(nil)
	s.mu.Lock()
	if s.client.State() != paddock.StateConnected {
		s.mu.Unlock()
		return nil // suspended between the grant and now: not a leadership
	}
	s.leading = cancel
	s.mu.Unlock()
	err := s.take(ctx, lock.FencingToken())
	s.mu.Lock()
	s.leading = nil
	s.mu.Unlock()
	// A callback that returns its cancelled context's error ended as told: not a failure.
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("recipes: leader selector %s: takeLeadership: %w", s.path, err)
	}
	return nil
}

// release deletes the lock node, retrying across a disconnection until the session is lost (an
// orphaned node would hold the lock for as long as the session lives).
func (s *LeaderSelector) release(lock *Lock) {
	for {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		err := lock.Unlock(ctx)
		cancel()
		if err == nil || isTerminal(s.client.State()) {
			return
		}
		time.Sleep(100 * time.Millisecond) // retry backoff while disconnected
	}
}

func isTerminal(st paddock.State) bool {
	return st == paddock.StateExpired || st == paddock.StateClosed || st == paddock.StateAuthFailed
}

func sendDroppingOldest(ch chan ConnectionEvent, e ConnectionEvent) {
	for {
		select {
		case ch <- e:
			return
		default:
			select {
			case <-ch:
			default:
			}
		}
	}
}
