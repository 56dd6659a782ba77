package paddock

import (
	"strings"
	"sync"

	"github.com/paddock-dev/paddock/clients/go/internal/pb"
)

// watchKind is where a local watcher is registered; the first three are one-time watches.
type watchKind int

const (
	kindData watchKind = iota
	kindExist
	kindChild
	kindPersistent
	kindRecursive
	kindCount
)

func (k watchKind) oneTime() bool { return k <= kindChild }

// removedEvent is the event a watcher of this kind receives when RemoveWatches removes it.
func (k watchKind) removedEvent() EventType {
	switch k {
	case kindData, kindExist:
		return EventDataWatchRemoved
	case kindChild:
		return EventChildWatchRemoved
	}
	return EventPersistentWatchRemoved
}

// watcher is one channel handed to the user. One-time channels have capacity 1 and get exactly
// one event. Persistent channels keep their last slot free so a final EventNotWatching always
// fits without blocking the session's reader.
type watcher struct {
	ch chan Event
}

func (w *watcher) send(ev Event) (overflow bool) {
	if len(w.ch) >= cap(w.ch)-1 && cap(w.ch) > 1 {
		// Only the reader goroutine sends, so len can only shrink under us: the slot is there.
		w.ch <- Event{Type: EventNotWatching, Path: ev.Path, Zxid: ev.Zxid, Err: ErrWatchOverflow}
		close(w.ch)
		return true
	}
	w.ch <- ev
	return false
}

func (w *watcher) end(ev Event) {
	w.ch <- ev
	close(w.ch)
}

// watchRegistry holds the session's watchers by kind and path. Firing follows ZooKeeper's
// client rules: an event type at a path fires the kinds that type triggers there, plus
// persistent recursive watchers on the path and its ancestors (except for child events).
type watchRegistry struct {
	mu     sync.Mutex
	byKind [kindCount]map[string][]*watcher
}

func newWatchRegistry() *watchRegistry {
	r := &watchRegistry{}
	for i := range r.byKind {
		r.byKind[i] = map[string][]*watcher{}
	}
	return r
}

func (r *watchRegistry) add(kind watchKind, path string, w *watcher) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byKind[kind][path] = append(r.byKind[kind][path], w)
}

// kindsFired lists the exact-path kinds an event type fires, as ZooKeeper's ZKWatchManager.
func kindsFired(t EventType) []watchKind {
	switch t {
	case EventNodeCreated, EventNodeDataChanged:
		return []watchKind{kindData, kindExist, kindPersistent}
	case EventNodeDeleted:
		return []watchKind{kindData, kindExist, kindChild, kindPersistent}
	case EventNodeChildrenChanged:
		return []watchKind{kindChild, kindPersistent}
	}
	return nil
}

// overflowed names a persistent watch that was dropped for a slow consumer and has no other
// local watcher left, so the client should remove it on the server.
type overflowed struct {
	path string
	kind watchKind
}

// dispatch delivers a server event to every matching watcher; one-time watchers are removed.
func (r *watchRegistry) dispatch(ev Event) []overflowed {
	r.mu.Lock()
	defer r.mu.Unlock()
	var dropped []overflowed
	fire := func(kind watchKind, path string) {
		ws := r.byKind[kind][path]
		if len(ws) == 0 {
			return
		}
		if kind.oneTime() {
			delete(r.byKind[kind], path)
			for _, w := range ws {
				w.end(ev)
			}
			return
		}
		kept := ws[:0]
		for _, w := range ws {
			if !w.send(ev) {
				kept = append(kept, w)
			}
		}
		if len(kept) == 0 {
			delete(r.byKind[kind], path)
			dropped = append(dropped, overflowed{path: path, kind: kind})
		} else {
			r.byKind[kind][path] = kept
		}
	}
	for _, k := range kindsFired(ev.Type) {
		fire(k, ev.Path)
	}
	if ev.Type == EventNodeCreated || ev.Type == EventNodeDeleted || ev.Type == EventNodeDataChanged {
		for p := ev.Path; ; p = parentPath(p) {
			fire(kindRecursive, p)
			if p == "/" {
				break
			}
		}
	}
	return dropped
}

// kindsOf maps a RemoveWatches type to the local kinds it removes.
func kindsOf(t WatcherType) []watchKind {
	switch t {
	case WatcherChildren:
		return []watchKind{kindChild}
	case WatcherData:
		return []watchKind{kindData, kindExist}
	case WatcherAny:
		return []watchKind{kindData, kindExist, kindChild, kindPersistent, kindRecursive}
	case WatcherPersistent:
		return []watchKind{kindPersistent}
	case WatcherPersistentRecursive:
		return []watchKind{kindRecursive}
	}
	return nil
}

// remove ends the watchers RemoveWatches removed, each with its removal event.
func (r *watchRegistry) remove(path string, t WatcherType, zxid int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range kindsOf(t) {
		for _, w := range r.byKind[k][path] {
			w.end(Event{Type: k.removedEvent(), Path: path, Zxid: zxid})
		}
		delete(r.byKind[k], path)
	}
}

// has reports whether any watcher of kind is registered at path.
func (r *watchRegistry) has(kind watchKind, path string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.byKind[kind][path]) > 0
}

// closeAll ends every watcher with EventNotWatching carrying err (session expired or closed).
func (r *watchRegistry) closeAll(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.byKind {
		for path, ws := range r.byKind[k] {
			for _, w := range ws {
				w.end(Event{Type: EventNotWatching, Path: path, Err: err})
			}
		}
		r.byKind[k] = map[string][]*watcher{}
	}
}

// setWatches lists the registered watches for re-registration on a resumed session.
func (r *watchRegistry) setWatches(relativeZxid int64) *pb.SetWatches {
	r.mu.Lock()
	defer r.mu.Unlock()
	keys := func(k watchKind) []string {
		out := make([]string, 0, len(r.byKind[k]))
		for p := range r.byKind[k] {
			out = append(out, p)
		}
		return out
	}
	sw := &pb.SetWatches{
		RelativeZxid:               relativeZxid,
		DataWatches:                keys(kindData),
		ExistWatches:               keys(kindExist),
		ChildWatches:               keys(kindChild),
		PersistentWatches:          keys(kindPersistent),
		PersistentRecursiveWatches: keys(kindRecursive),
	}
	if len(sw.DataWatches)+len(sw.ExistWatches)+len(sw.ChildWatches)+
		len(sw.PersistentWatches)+len(sw.PersistentRecursiveWatches) == 0 {
		return nil
	}
	return sw
}

func parentPath(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}
