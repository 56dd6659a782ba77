package paddock

import (
	"fmt"
	"time"
)

// Test-only access to the writer's hooks (compiled into tests only).

// FreezeWriter parks the writer before it takes the next request and returns once it is parked;
// the writer goes on when release is called.
func FreezeWriter(c *Client) (release func(), err error) {
	select {
	case <-c.hooks.parked:
	default:
	}
	g := make(chan struct{})
	c.hooks.gate.Store(&g)
	release = func() {
		c.hooks.gate.Store(nil)
		close(g)
	}
	select {
	case <-c.hooks.parked:
		return release, nil
	case <-time.After(10 * time.Second):
		release()
		return nil, fmt.Errorf("writer did not park")
	}
}

// StopHeartbeats stops pings (and the idle check) so the server expires the session.
func StopHeartbeats(c *Client) { c.hooks.noPing.Store(true) }

// ResumeHeartbeats undoes StopHeartbeats.
func ResumeHeartbeats(c *Client) { c.hooks.noPing.Store(false) }

// Queued is the number of requests waiting in the queue.
func Queued(c *Client) int { return len(c.queue) }

// WriterStats returns envelopes sent, requests sent and pings sent.
func WriterStats(c *Client) (envelopes, requests, pings int64) {
	return c.hooks.envelopes.Load(), c.hooks.requests.Load(), c.hooks.pings.Load()
}
