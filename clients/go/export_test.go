package paddock

import (
	"context"
	"fmt"
	"time"

	"github.com/paddock-dev/paddock/clients/go/internal/pb"
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

// SetDataThen is SetData with onReply run on the session's reader goroutine while it handles the
// reply: after every message that arrived before the reply, before any that arrived after it,
// and before SetData returns.
func SetDataThen(ctx context.Context, c *Client, path string, data []byte, version int32, onReply func()) error {
	req := &pb.Request{Op: &pb.Request_SetData{SetData: &pb.SetDataRequest{Path: path, Data: data, Version: optVersion(version)}}}
	_, err := c.do(ctx, req, func(*pb.Reply, error) { onReply() })
	return err
}
