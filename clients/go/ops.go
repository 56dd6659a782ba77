package paddock

import (
	"context"
	"errors"
	"time"

	"github.com/paddock-dev/paddock/clients/go/internal/pb"
)

func optVersion(v int32) *int32 {
	if v < 0 {
		return nil
	}
	return &v
}

// Create creates a node and returns its path (with the sequence suffix for sequential modes).
// An empty acl means OpenACLUnsafe.
func (c *Client) Create(ctx context.Context, path string, data []byte, mode CreateMode, acl []ACL) (string, error) {
	return c.CreateTTL(ctx, path, data, mode, acl, 0)
}

// CreateTTL is Create with a TTL, for ModePersistentWithTTL and ModePersistentSequentialWithTTL
// (the server needs extendedTypesEnabled=true). The TTL counts in milliseconds.
func (c *Client) CreateTTL(ctx context.Context, path string, data []byte, mode CreateMode, acl []ACL, ttl time.Duration) (string, error) {
	r, err := c.do(ctx, &pb.Request{Op: &pb.Request_Create{Create: createToPB(path, data, mode, acl, ttl)}}, nil)
	if err != nil {
		return "", err
	}
	return r.GetCreate().GetPath(), nil
}

func createToPB(path string, data []byte, mode CreateMode, acl []ACL, ttl time.Duration) *pb.CreateRequest {
	return &pb.CreateRequest{Path: path, Data: data, Acl: aclsToPB(acl), Mode: pb.CreateMode(mode), Ttl: ttl.Milliseconds()}
}

// Delete deletes the node if its version matches (AnyVersion for any).
func (c *Client) Delete(ctx context.Context, path string, version int32) error {
	_, err := c.do(ctx, &pb.Request{Op: &pb.Request_Delete{Delete: &pb.DeleteRequest{Path: path, Version: optVersion(version)}}}, nil)
	return err
}

// Exists reports whether the node exists, with its Stat when it does.
func (c *Client) Exists(ctx context.Context, path string) (bool, *Stat, error) {
	ok, st, _, err := c.exists(ctx, path, false)
	return ok, st, err
}

// ExistsW is Exists leaving a one-time watch: NodeCreated if the node is absent, NodeDataChanged
// or NodeDeleted if present. The channel receives one event and is then closed.
func (c *Client) ExistsW(ctx context.Context, path string) (bool, *Stat, <-chan Event, error) {
	return c.exists(ctx, path, true)
}

func (c *Client) exists(ctx context.Context, path string, watch bool) (bool, *Stat, <-chan Event, error) {
	w := c.oneTime(watch)
	r, err := c.do(ctx, &pb.Request{Op: &pb.Request_Exists{Exists: &pb.ExistsRequest{Path: path, Watch: watch}}},
		func(r *pb.Reply, err error) {
			if w == nil {
				return
			}
			switch {
			case err == nil && r.GetExists().GetStat() != nil:
				c.watches.add(kindData, path, w)
			case err == nil || errors.Is(err, ErrNoNode):
				c.watches.add(kindExist, path, w)
			}
		})
	if errors.Is(err, ErrNoNode) {
		err = nil
	}
	if err != nil {
		return false, nil, nil, err
	}
	st := statFromPB(r.GetExists().GetStat())
	return st != nil, st, chanOf(w), nil
}

// GetData returns the node's data and Stat.
func (c *Client) GetData(ctx context.Context, path string) ([]byte, *Stat, error) {
	d, st, _, err := c.getData(ctx, path, false)
	return d, st, err
}

// GetDataW is GetData leaving a one-time watch (NodeDataChanged or NodeDeleted).
func (c *Client) GetDataW(ctx context.Context, path string) ([]byte, *Stat, <-chan Event, error) {
	return c.getData(ctx, path, true)
}

func (c *Client) getData(ctx context.Context, path string, watch bool) ([]byte, *Stat, <-chan Event, error) {
	w := c.oneTime(watch)
	r, err := c.do(ctx, &pb.Request{Op: &pb.Request_GetData{GetData: &pb.GetDataRequest{Path: path, Watch: watch}}},
		c.registerOnSuccess(kindData, path, w))
	if err != nil {
		return nil, nil, nil, err
	}
	return r.GetGetData().GetData(), statFromPB(r.GetGetData().GetStat()), chanOf(w), nil
}

// SetData replaces the node's data if its version matches (AnyVersion for any).
func (c *Client) SetData(ctx context.Context, path string, data []byte, version int32) (*Stat, error) {
	r, err := c.do(ctx, &pb.Request{Op: &pb.Request_SetData{SetData: &pb.SetDataRequest{Path: path, Data: data, Version: optVersion(version)}}}, nil)
	if err != nil {
		return nil, err
	}
	return statFromPB(r.GetSetData().GetStat()), nil
}

// GetChildren returns the names of the node's children (in no particular order) and its Stat.
func (c *Client) GetChildren(ctx context.Context, path string) ([]string, *Stat, error) {
	ch, st, _, err := c.getChildren(ctx, path, false)
	return ch, st, err
}

// GetChildrenW is GetChildren leaving a one-time watch (NodeChildrenChanged or NodeDeleted).
func (c *Client) GetChildrenW(ctx context.Context, path string) ([]string, *Stat, <-chan Event, error) {
	return c.getChildren(ctx, path, true)
}

func (c *Client) getChildren(ctx context.Context, path string, watch bool) ([]string, *Stat, <-chan Event, error) {
	w := c.oneTime(watch)
	r, err := c.do(ctx, &pb.Request{Op: &pb.Request_GetChildren{GetChildren: &pb.GetChildrenRequest{Path: path, Watch: watch}}},
		c.registerOnSuccess(kindChild, path, w))
	if err != nil {
		return nil, nil, nil, err
	}
	return r.GetGetChildren().GetChildren(), statFromPB(r.GetGetChildren().GetStat()), chanOf(w), nil
}

// GetACL returns the node's ACL and Stat.
func (c *Client) GetACL(ctx context.Context, path string) ([]ACL, *Stat, error) {
	r, err := c.do(ctx, &pb.Request{Op: &pb.Request_GetAcl{GetAcl: &pb.GetACLRequest{Path: path}}}, nil)
	if err != nil {
		return nil, nil, err
	}
	return aclsFromPB(r.GetGetAcl().GetAcl()), statFromPB(r.GetGetAcl().GetStat()), nil
}

// SetACL replaces the node's ACL if its aversion matches (AnyVersion for any).
func (c *Client) SetACL(ctx context.Context, path string, acl []ACL, version int32) (*Stat, error) {
	r, err := c.do(ctx, &pb.Request{Op: &pb.Request_SetAcl{SetAcl: &pb.SetACLRequest{Path: path, Acl: aclsToPB(acl), Version: optVersion(version)}}}, nil)
	if err != nil {
		return nil, err
	}
	return statFromPB(r.GetSetAcl().GetStat()), nil
}

// Sync waits until the server this session is connected to has applied every write committed
// before the call, so a following read sees them.
func (c *Client) Sync(ctx context.Context, path string) (string, error) {
	r, err := c.do(ctx, &pb.Request{Op: &pb.Request_Sync{Sync: &pb.SyncRequest{Path: path}}}, nil)
	if err != nil {
		return "", err
	}
	return r.GetSync().GetPath(), nil
}

// AddWatch sets a persistent watch on path (or on its whole subtree with
// AddWatchPersistentRecursive). Events arrive on the channel until RemoveWatches removes the watch
// (a removal event, then the channel closes) or the session ends (EventNotWatching, then close).
// A consumer that falls WithWatchBuffer events behind loses the watch (EventNotWatching with
// ErrWatchOverflow) rather than stall the session.
func (c *Client) AddWatch(ctx context.Context, path string, mode AddWatchMode) (<-chan Event, error) {
	w := &watcher{ch: make(chan Event, c.opts.watchBuffer+1)}
	kind := kindPersistent
	if mode == AddWatchPersistentRecursive {
		kind = kindRecursive
	}
	_, err := c.do(ctx, &pb.Request{Op: &pb.Request_AddWatch{AddWatch: &pb.AddWatchRequest{Path: path, Mode: pb.AddWatchMode(mode)}}},
		c.registerOnSuccess(kind, path, w))
	if err != nil {
		return nil, err
	}
	return w.ch, nil
}

// RemoveWatches removes this session's watches of type t on path, on the server and locally:
// each removed channel receives its removal event (DataWatchRemoved, ChildWatchRemoved or
// PersistentWatchRemoved) and is closed. ErrNoWatcher if there was none.
func (c *Client) RemoveWatches(ctx context.Context, path string, t WatcherType) error {
	_, err := c.do(ctx, &pb.Request{Op: &pb.Request_RemoveWatches{RemoveWatches: &pb.RemoveWatchesRequest{Path: path, Type: pb.WatcherType(t)}}},
		func(r *pb.Reply, err error) {
			if err == nil {
				c.watches.remove(path, t, r.GetZxid())
			}
		})
	return err
}

// AddAuth adds credentials to the session (scheme "digest", auth "user:password"); they are
// re-sent on every reconnect.
func (c *Client) AddAuth(ctx context.Context, scheme string, auth []byte) error {
	a := &pb.AddAuthRequest{Scheme: scheme, Auth: append([]byte(nil), auth...)}
	_, err := c.do(ctx, &pb.Request{Op: &pb.Request_AddAuth{AddAuth: a}}, func(_ *pb.Reply, err error) {
		if err == nil {
			c.mu.Lock()
			c.auth = append(c.auth, a)
			c.mu.Unlock()
		}
	})
	return err
}

// WhoAmI lists the session's identities.
func (c *Client) WhoAmI(ctx context.Context) ([]ClientInfo, error) {
	r, err := c.do(ctx, &pb.Request{Op: &pb.Request_WhoAmI{WhoAmI: &pb.WhoAmIRequest{}}}, nil)
	if err != nil {
		return nil, err
	}
	var out []ClientInfo
	for _, ci := range r.GetWhoAmI().GetClientInfo() {
		out = append(out, ClientInfo{AuthScheme: ci.GetAuthScheme(), User: ci.GetUser()})
	}
	return out, nil
}

func (c *Client) oneTime(watch bool) *watcher {
	if !watch {
		return nil
	}
	return &watcher{ch: make(chan Event, 1)}
}

func (c *Client) registerOnSuccess(kind watchKind, path string, w *watcher) func(*pb.Reply, error) {
	if w == nil {
		return nil
	}
	return func(_ *pb.Reply, err error) {
		if err == nil {
			c.watches.add(kind, path, w)
		}
	}
}

func chanOf(w *watcher) <-chan Event {
	if w == nil {
		return nil
	}
	return w.ch
}
