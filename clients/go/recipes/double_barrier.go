package recipes

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// doubleBarrierReady is the node whose creation releases the members waiting to enter.
const doubleBarrierReady = "ready"

// DoubleBarrier is Curator's DistributedDoubleBarrier: members enter as "<path>/<uuid>"
// (ephemeral); the member that sees count members creates "<path>/ready", releasing everyone
// waiting on it. Leaving follows Curator's order: the lowest member waits for the highest, the
// others delete themselves and wait for the lowest, so each waits on one node.
type DoubleBarrier struct {
	client *paddock.Client
	path   string
	count  int
	ours   string
}

// NewDoubleBarrier returns a member of the double barrier at path for count members.
func NewDoubleBarrier(c *paddock.Client, path string, count int) (*DoubleBarrier, error) {
	if count < 1 {
		return nil, fmt.Errorf("recipes: member count for %s must be at least 1, got %d", path, count)
	}
	id := protectedPrefix() // "_c_<uuid>-": only its uuid is kept
	return &DoubleBarrier{client: c, path: strings.TrimSuffix(path, "/"), count: count, ours: id[3 : len(id)-1]}, nil
}

// Enter returns once count members entered, or ctx's error (our node stays until Leave).
func (b *DoubleBarrier) Enter(ctx context.Context) error {
	if err := ensurePath(ctx, b.client, b.path, nil); err != nil {
		return err
	}
	readyPath := b.path + "/" + doubleBarrierReady
	up, _, ready, err := b.client.ExistsW(ctx, readyPath)
	if err != nil {
		return err
	}
	if _, err := b.client.Create(ctx, b.path+"/"+b.ours, nil, paddock.ModeEphemeral, nil); err != nil {
		return err
	}
	if up {
		return nil
	}
	children, _, err := b.client.GetChildren(ctx, b.path)
	if err != nil {
		return err
	}
	if len(members(children)) >= b.count {
		if _, err := b.client.Create(ctx, readyPath, nil, paddock.ModePersistent, nil); err != nil &&
			!errors.Is(err, paddock.ErrNodeExists) {
			return err
		}
		return nil
	}
	select {
	case ev := <-ready:
		if ev.Type == paddock.EventNotWatching {
			return ev.Err
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Leave returns once every member left, or ctx's error.
func (b *DoubleBarrier) Leave(ctx context.Context) error {
	oursExists := true
	for {
		children, _, err := b.client.GetChildren(ctx, b.path)
		if err != nil && !errors.Is(err, paddock.ErrNoNode) {
			return err
		}
		live := members(children)
		if len(live) == 0 {
			break
		}
		if len(live) == 1 && live[0] == b.ours {
			if err := b.deleteOurs(ctx); err != nil {
				return err
			}
			break
		}
		var watched string
		if live[0] == b.ours {
			watched = live[len(live)-1] // the lowest leaves last
		} else {
			watched = live[0]
			if oursExists {
				if err := b.deleteOurs(ctx); err != nil {
					return err
				}
				oursExists = false
			}
		}
		ok, _, changed, err := b.client.ExistsW(ctx, b.path+"/"+watched)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		select {
		case ev := <-changed:
			if ev.Type == paddock.EventNotWatching {
				return ev.Err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err := b.client.Delete(ctx, b.path+"/"+doubleBarrierReady, paddock.AnyVersion)
	if err != nil && !errors.Is(err, paddock.ErrNoNode) {
		return err
	}
	return nil
}

func (b *DoubleBarrier) deleteOurs(ctx context.Context) error {
	err := b.client.Delete(ctx, b.path+"/"+b.ours, paddock.AnyVersion)
	if err != nil && !errors.Is(err, paddock.ErrNoNode) {
		return err
	}
	return nil
}

// members are the children other than the ready node, sorted.
func members(children []string) []string {
	out := make([]string, 0, len(children))
	for _, c := range children {
		if c != doubleBarrierReady {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}
