package recipes

import (
	"context"
	"errors"
	"strings"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// Barrier is Curator's DistributedBarrier: the barrier is up while its node exists; waiters
// watch that one node.
type Barrier struct {
	client *paddock.Client
	path   string
}

// NewBarrier returns the barrier at path.
func NewBarrier(c *paddock.Client, path string) *Barrier {
	return &Barrier{client: c, path: strings.TrimSuffix(path, "/")}
}

// Set raises the barrier (already up is fine).
func (b *Barrier) Set(ctx context.Context) error {
	if i := strings.LastIndexByte(b.path, '/'); i > 0 {
		if err := ensurePath(ctx, b.client, b.path[:i], nil); err != nil {
			return err
		}
	}
	_, err := b.client.Create(ctx, b.path, nil, paddock.ModePersistent, nil)
	if errors.Is(err, paddock.ErrNodeExists) {
		return nil
	}
	return err
}

// Remove lowers the barrier: every waiter proceeds.
func (b *Barrier) Remove(ctx context.Context) error {
	err := b.client.Delete(ctx, b.path, paddock.AnyVersion)
	if errors.Is(err, paddock.ErrNoNode) {
		return nil
	}
	return err
}

// Wait returns once the barrier is down, or ctx's error.
func (b *Barrier) Wait(ctx context.Context) error {
	for {
		ok, _, gone, err := b.client.ExistsW(ctx, b.path)
		if err != nil || !ok {
			return err
		}
		select {
		case ev := <-gone:
			if ev.Type == paddock.EventNotWatching {
				return ev.Err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
