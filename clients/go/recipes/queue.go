package recipes

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// Curator's ItemSerializer framing: a version int, then per item opcode 1, a 4-byte length and
// the bytes, then opcode 2.
const (
	queueVersion = 0x00010001
	queueItem    = 0x01
	queueEOF     = 0x02
	queuePrefix  = "queue-"
)

// SerializeItems frames items as Curator's ItemSerializer does.
func SerializeItems(items ...[]byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, queueVersion)
	for _, item := range items {
		out = append(out, queueItem)
		out = binary.BigEndian.AppendUint32(out, uint32(len(item)))
		out = append(out, item...)
	}
	return append(out, queueEOF)
}

// DeserializeItems reads Curator's ItemSerializer framing; path names the node in errors.
func DeserializeItems(data []byte, path string) ([][]byte, error) {
	if len(data) < 5 || binary.BigEndian.Uint32(data) != queueVersion {
		return nil, fmt.Errorf("recipes: queue item %s: not in Curator's item framing", path)
	}
	var items [][]byte
	for at := 4; ; {
		if at >= len(data) {
			return nil, fmt.Errorf("recipes: queue item %s: truncated at byte %d", path, at)
		}
		switch data[at] {
		case queueEOF:
			return items, nil
		case queueItem:
			if at+5 > len(data) {
				return nil, fmt.Errorf("recipes: queue item %s: truncated at byte %d", path, at)
			}
			n := int(binary.BigEndian.Uint32(data[at+1:]))
			if n < 0 || at+5+n > len(data) {
				return nil, fmt.Errorf("recipes: queue item %s: item length %d past the end", path, n)
			}
			items = append(items, data[at+5:at+5+n])
			at += 5 + n
		default:
			return nil, fmt.Errorf("recipes: queue item %s: bad opcode %d at byte %d", path, data[at], at)
		}
	}
}

// PriorityKey is Curator's priorityToString: a sign digit, then the 32-bit value in 8 hex digits,
// so names sort by priority (lower first).
func PriorityKey(priority int32) string {
	sign := "1"
	if priority < 0 {
		sign = "0"
	}
	return fmt.Sprintf("%s%08X", sign, uint32(priority))
}

// Queue is Curator's DistributedQueue layout: items are "<path>/queue-<seq>" (with a priority:
// "queue-<PriorityKey><seq>"), persistent sequential, data in ItemSerializer framing. A consumer
// takes the first item by deleting it; losing that race moves it on to the next item.
type Queue struct {
	client *paddock.Client
	path   string
}

// NewQueue returns the queue at path.
func NewQueue(c *paddock.Client, path string) *Queue {
	return &Queue{client: c, path: strings.TrimSuffix(path, "/")}
}

// Put adds an item at the end.
func (q *Queue) Put(ctx context.Context, item []byte) (string, error) {
	return q.put(ctx, queuePrefix, item)
}

// PutPriority adds an item taken before every item of a higher priority (FIFO within one).
func (q *Queue) PutPriority(ctx context.Context, item []byte, priority int32) (string, error) {
	return q.put(ctx, queuePrefix+PriorityKey(priority), item)
}

func (q *Queue) put(ctx context.Context, name string, item []byte) (string, error) {
	data := SerializeItems(item)
	node, err := q.client.Create(ctx, q.path+"/"+name, data, paddock.ModePersistentSequential, nil)
	if errors.Is(err, paddock.ErrNoNode) {
		if err := ensurePath(ctx, q.client, q.path, nil); err != nil {
			return "", err
		}
		node, err = q.client.Create(ctx, q.path+"/"+name, data, paddock.ModePersistentSequential, nil)
	}
	return node, err
}

// Take removes and returns the first item, waiting for one until ctx is done.
func (q *Queue) Take(ctx context.Context) ([]byte, error) {
	if err := ensurePath(ctx, q.client, q.path, nil); err != nil {
		return nil, err
	}
	for {
		children, _, changed, err := q.client.GetChildrenW(ctx, q.path)
		if err != nil {
			return nil, err
		}
		sort.Strings(children)
		for _, name := range children {
			if !strings.HasPrefix(name, queuePrefix) {
				continue
			}
			path := q.path + "/" + name
			data, st, err := q.client.GetData(ctx, path)
			if err == nil {
				err = q.client.Delete(ctx, path, st.Version)
			}
			if errors.Is(err, paddock.ErrNoNode) {
				continue // another consumer took it
			}
			if err != nil {
				return nil, err
			}
			items, err := DeserializeItems(data, path)
			if err != nil {
				return nil, err
			}
			if len(items) > 0 {
				return items[0], nil
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
