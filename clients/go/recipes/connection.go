package recipes

import (
	"sync"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// ConnectionEvent is what a recipe that holds something (a lock, leadership, membership) tells
// its user about the session, as the TypeScript recipes do (docs/RECIPES.md).
type ConnectionEvent int

const (
	// Suspended: the connection is lost; the hold may be gone, stop acting on it.
	Suspended ConnectionEvent = iota + 1
	// Reconnected: the same session resumed; the hold is intact.
	Reconnected
	// Lost: the session expired or was closed; the hold is gone for good.
	Lost
)

func (e ConnectionEvent) String() string {
	switch e {
	case Suspended:
		return "Suspended"
	case Reconnected:
		return "Reconnected"
	case Lost:
		return "Lost"
	}
	return "ConnectionEvent(?)"
}

// eventBuffer bounds a follower's queue; when full the oldest event is dropped (the last one,
// Lost above all, always arrives).
const eventBuffer = 8

// follower turns the client's state changes into ConnectionEvents while a recipe holds something.
type follower struct {
	mu     sync.Mutex
	events chan ConnectionEvent
	cancel func()
	lost   bool
}

// follow starts following c's session; the first event reflects the state at the start when the
// connection is already down.
func follow(c *paddock.Client) *follower {
	states, cancel := c.SubscribeStates()
	f := &follower{events: make(chan ConnectionEvent, eventBuffer), cancel: cancel}
	suspended := false
	apply := func(s paddock.State) bool {
		switch {
		case s == paddock.StateExpired || s == paddock.StateClosed || s == paddock.StateAuthFailed:
			f.mu.Lock()
			f.lost = true
			f.mu.Unlock()
			f.send(Lost)
			return false
		case s == paddock.StateDisconnected && !suspended:
			suspended = true
			f.send(Suspended)
		case s == paddock.StateConnected && suspended:
			suspended = false
			f.send(Reconnected)
		}
		return true
	}
	initial := c.State()
	go func() {
		defer close(f.events)
		if !apply(initial) {
			cancel()
			return
		}
		for s := range states {
			if !apply(s) {
				return
			}
		}
	}()
	return f
}

func (f *follower) send(e ConnectionEvent) {
	for {
		select {
		case f.events <- e:
			return
		default:
			select {
			case <-f.events:
			default:
			}
		}
	}
}

// stop ends following (the events channel closes).
func (f *follower) stop() { f.cancel() }

func (f *follower) isLost() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lost
}
