package recipes

import (
	"context"
	"errors"
	"fmt"
	"strings"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// GroupMember is a member of a group in Curator's GroupMember layout: "<path>/<id>", ephemeral,
// data = the member's payload. The group's view is the children of path with their data.
type GroupMember struct {
	client  *paddock.Client
	path    string
	id      string
	payload []byte
	czxid   int64
	session *follower // the session's events while a member
}

// NewGroupMember returns a member id (a node name: no '/') of the group at path.
func NewGroupMember(c *paddock.Client, path, id string, payload []byte) *GroupMember {
	return &GroupMember{client: c, path: strings.TrimSuffix(path, "/"), id: id, payload: payload}
}

// Join creates the member's ephemeral node (the group's parents as needed).
func (m *GroupMember) Join(ctx context.Context) error {
	if m.id == "" || strings.Contains(m.id, "/") {
		return fmt.Errorf("recipes: member id %q of %s must be a non-empty node name", m.id, m.path)
	}
	if err := ensurePath(ctx, m.client, m.path, nil); err != nil {
		return err
	}
	node := m.path + "/" + m.id
	if _, err := m.client.Create(ctx, node, m.payload, paddock.ModeEphemeral, nil); err != nil {
		if errors.Is(err, paddock.ErrNodeExists) {
			return fmt.Errorf("recipes: member %s already in %s: %w", m.id, m.path, err)
		}
		return err
	}
	if ok, st, err := m.client.Exists(ctx, node); err == nil && ok {
		m.czxid = st.Czxid
	}
	m.session = follow(m.client)
	return nil
}

// Events delivers Suspended, Reconnected and Lost between Join and Leave (see Lock.Events):
// after Lost the member's node is gone from the group. Nil before Join.
func (m *GroupMember) Events() <-chan ConnectionEvent {
	if m.session == nil {
		return nil
	}
	return m.session.events
}

// FencingToken is the creation zxid of the member's node after Join.
func (m *GroupMember) FencingToken() int64 { return m.czxid }

// Leave deletes the member's node.
func (m *GroupMember) Leave(ctx context.Context) error {
	err := m.client.Delete(ctx, m.path+"/"+m.id, paddock.AnyVersion)
	if err != nil && !errors.Is(err, paddock.ErrNoNode) && (m.session == nil || !m.session.isLost()) {
		return err
	}
	if m.session != nil {
		m.session.stop()
		m.session = nil
	}
	return nil
}

// Members reads the group: member id → payload.
func (m *GroupMember) Members(ctx context.Context) (map[string][]byte, error) {
	view, _, err := m.MembersW(ctx)
	return view, err
}

// MembersW reads the group and leaves a watch that fires on the next join or leave.
func (m *GroupMember) MembersW(ctx context.Context) (map[string][]byte, <-chan paddock.Event, error) {
	ids, _, changed, err := m.client.GetChildrenW(ctx, m.path)
	if err != nil {
		return nil, nil, err
	}
	view := make(map[string][]byte, len(ids))
	for _, id := range ids {
		data, _, err := m.client.GetData(ctx, m.path+"/"+id)
		if errors.Is(err, paddock.ErrNoNode) {
			continue // left between the listing and the read; the watch fires for it
		}
		if err != nil {
			return nil, nil, err
		}
		view[id] = data
	}
	return view, changed, nil
}
