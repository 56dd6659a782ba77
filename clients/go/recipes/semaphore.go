package recipes

import (
	"context"
	"errors"
	"fmt"
	"strings"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// LeaseMarker names a semaphore's lease nodes (Curator's InterProcessSemaphoreV2).
const LeaseMarker = "lease-"

// Semaphore is Curator's InterProcessSemaphoreV2 layout: a lease is
// "<path>/leases/_c_<uuid>-lease-<seq>" (ephemeral sequential), granted while at most MaxLeases
// exist; "<path>/locks" is a Lock serialising acquirers, so only its holder watches the leases.
type Semaphore struct {
	client    *paddock.Client
	path      string
	maxLeases int
}

// Lease is one granted lease; Czxid is its fencing token.
type Lease struct {
	Path   string
	Czxid  int64
	client *paddock.Client
}

// Release deletes the lease node (already gone is fine).
func (l *Lease) Release(ctx context.Context) error {
	err := l.client.Delete(ctx, l.Path, paddock.AnyVersion)
	if errors.Is(err, paddock.ErrNoNode) {
		return nil
	}
	return err
}

// NewSemaphore returns a semaphore on path granting at most maxLeases (≥ 1) at once.
func NewSemaphore(c *paddock.Client, path string, maxLeases int) (*Semaphore, error) {
	if maxLeases < 1 {
		return nil, fmt.Errorf("recipes: maxLeases for %s must be at least 1, got %d", path, maxLeases)
	}
	return &Semaphore{client: c, path: strings.TrimSuffix(path, "/"), maxLeases: maxLeases}, nil
}

// Acquire waits for a lease until ctx is done; on error no lease node is left.
func (s *Semaphore) Acquire(ctx context.Context) (*Lease, error) {
	lock := NewLock(s.client, s.path+"/locks", nil)
	if err := lock.Lock(ctx); err != nil {
		return nil, err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		_ = lock.Unlock(cctx)
	}()
	leases := s.path + "/leases"
	if err := ensurePath(ctx, s.client, leases, nil); err != nil {
		return nil, err
	}
	node, err := s.client.Create(ctx, leases+"/"+protectedPrefix()+LeaseMarker, nil, paddock.ModeEphemeralSequential, nil)
	if err != nil {
		return nil, err
	}
	lease := &Lease{Path: node, client: s.client}
	if ok, st, err := s.client.Exists(ctx, node); err == nil && ok {
		lease.Czxid = st.Czxid
	}
	for {
		children, _, changed, err := s.client.GetChildrenW(ctx, leases)
		if err == nil && len(children) <= s.maxLeases {
			return lease, nil
		}
		if err == nil {
			select {
			case <-changed:
				continue
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
		cctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		_ = lease.Release(cctx)
		cancel()
		return nil, err
	}
}
