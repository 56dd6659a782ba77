package paddock

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"

	"github.com/paddock-dev/paddock/clients/go/internal/pb"
)

// Stat mirrors ZooKeeper's Stat, field for field. Times are ms since the Unix epoch.
type Stat struct {
	Czxid          int64
	Mzxid          int64
	Ctime          int64
	Mtime          int64
	Version        int32
	Cversion       int32
	Aversion       int32
	EphemeralOwner int64
	DataLength     int32
	NumChildren    int32
	Pzxid          int64
}

func statFromPB(s *pb.Stat) *Stat {
	if s == nil {
		return nil
	}
	return &Stat{
		Czxid: s.GetCzxid(), Mzxid: s.GetMzxid(), Ctime: s.GetCtime(), Mtime: s.GetMtime(),
		Version: s.GetVersion(), Cversion: s.GetCversion(), Aversion: s.GetAversion(),
		EphemeralOwner: s.GetEphemeralOwner(), DataLength: s.GetDataLength(),
		NumChildren: s.GetNumChildren(), Pzxid: s.GetPzxid(),
	}
}

// AnyVersion matches any version in Delete, SetData, SetACL and the multi ops (ZooKeeper's -1).
const AnyVersion int32 = -1

// CreateMode is ZooKeeper's create mode, with its numbers.
type CreateMode int32

// Create modes. The TTL modes need the server setting extendedTypesEnabled=true.
const (
	ModePersistent                  CreateMode = 0
	ModeEphemeral                   CreateMode = 1
	ModePersistentSequential        CreateMode = 2
	ModeEphemeralSequential         CreateMode = 3
	ModeContainer                   CreateMode = 4
	ModePersistentWithTTL           CreateMode = 5
	ModePersistentSequentialWithTTL CreateMode = 6
)

// Perm bits, as ZooKeeper's.
const (
	PermRead   int32 = 1
	PermWrite  int32 = 2
	PermCreate int32 = 4
	PermDelete int32 = 8
	PermAdmin  int32 = 16
	PermAll    int32 = 31
)

// ID names an identity in a scheme: world/anyone, auth/, digest/user:hash, ip/addr[/bits].
type ID struct {
	Scheme string
	ID     string
}

// ACL grants Perms (a bit set of Perm* values) to an ID.
type ACL struct {
	Perms int32
	ID    ID
}

// Common ACLs, as ZooKeeper's Ids.
var (
	OpenACLUnsafe = []ACL{{Perms: PermAll, ID: ID{Scheme: "world", ID: "anyone"}}}
	CreatorAllACL = []ACL{{Perms: PermAll, ID: ID{Scheme: "auth", ID: ""}}}
	ReadACLUnsafe = []ACL{{Perms: PermRead, ID: ID{Scheme: "world", ID: "anyone"}}}
)

// WorldACL grants perms to everyone.
func WorldACL(perms int32) []ACL {
	return []ACL{{Perms: perms, ID: ID{Scheme: "world", ID: "anyone"}}}
}

// DigestACL grants perms to the digest user with this clear-text password.
func DigestACL(perms int32, user, password string) []ACL {
	return []ACL{{Perms: perms, ID: ID{Scheme: "digest", ID: DigestID(user, password)}}}
}

// DigestID returns ZooKeeper's digest id "user:base64(sha1(user:password))".
func DigestID(user, password string) string {
	sum := sha1.Sum([]byte(user + ":" + password))
	return user + ":" + base64.StdEncoding.EncodeToString(sum[:])
}

func aclsToPB(acl []ACL) []*pb.ACL {
	out := make([]*pb.ACL, len(acl))
	for i, a := range acl {
		out[i] = &pb.ACL{Perms: a.Perms, Id: &pb.Id{Scheme: a.ID.Scheme, Id: a.ID.ID}}
	}
	return out
}

func aclsFromPB(acl []*pb.ACL) []ACL {
	out := make([]ACL, len(acl))
	for i, a := range acl {
		out[i] = ACL{Perms: a.GetPerms(), ID: ID{Scheme: a.GetId().GetScheme(), ID: a.GetId().GetId()}}
	}
	return out
}

// EventType is a watch event's type, with ZooKeeper's numbers.
type EventType int32

// Event types. EventNotWatching is client-side: the watch ended without firing (Err says why).
const (
	EventNotWatching            EventType = -2
	EventNodeCreated            EventType = 1
	EventNodeDeleted            EventType = 2
	EventNodeDataChanged        EventType = 3
	EventNodeChildrenChanged    EventType = 4
	EventDataWatchRemoved       EventType = 5
	EventChildWatchRemoved      EventType = 6
	EventPersistentWatchRemoved EventType = 7
)

var eventNames = map[EventType]string{
	EventNotWatching:            "NotWatching",
	EventNodeCreated:            "NodeCreated",
	EventNodeDeleted:            "NodeDeleted",
	EventNodeDataChanged:        "NodeDataChanged",
	EventNodeChildrenChanged:    "NodeChildrenChanged",
	EventDataWatchRemoved:       "DataWatchRemoved",
	EventChildWatchRemoved:      "ChildWatchRemoved",
	EventPersistentWatchRemoved: "PersistentWatchRemoved",
}

func (t EventType) String() string {
	if name, ok := eventNames[t]; ok {
		return name
	}
	return fmt.Sprintf("EventType(%d)", int32(t))
}

// Event is a watch notification. Zxid is the transaction that fired it; Err is set only for
// EventNotWatching (ErrSessionExpired, ErrClosed or ErrWatchOverflow).
type Event struct {
	Type EventType
	Path string
	Zxid int64
	Err  error
}

// State is the session's state as the client sees it.
type State int32

// Session states. Expired, Closed and AuthFailed are final.
const (
	StateDisconnected State = 2
	StateConnected    State = 1
	StateExpired      State = 3
	StateClosed       State = 4
	StateAuthFailed   State = 5
)

func (s State) String() string {
	switch s {
	case StateConnected:
		return "Connected"
	case StateDisconnected:
		return "Disconnected"
	case StateExpired:
		return "Expired"
	case StateClosed:
		return "Closed"
	case StateAuthFailed:
		return "AuthFailed"
	}
	return fmt.Sprintf("State(%d)", int32(s))
}

// AddWatchMode selects a persistent watch on one node or on a whole subtree.
type AddWatchMode int32

// Persistent watch modes, as ZooKeeper's.
const (
	AddWatchPersistent          AddWatchMode = 0
	AddWatchPersistentRecursive AddWatchMode = 1
)

// WatcherType selects which watches RemoveWatches removes, as ZooKeeper's.
type WatcherType int32

// Watcher types.
const (
	WatcherChildren            WatcherType = 1
	WatcherData                WatcherType = 2
	WatcherAny                 WatcherType = 3
	WatcherPersistent          WatcherType = 4
	WatcherPersistentRecursive WatcherType = 5
)

// ClientInfo is one identity of the session, as WhoAmI reports it.
type ClientInfo struct {
	AuthScheme string
	User       string
}
