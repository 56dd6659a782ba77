package recipes

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

const atomicAttempts = 10000

// AtomicLong is a counter in Curator's DistributedAtomicLong format: the node's data is the value
// as 8 bytes big-endian (a missing node reads as 0), changed by compare-and-set on the version.
type AtomicLong struct {
	client *paddock.Client
	path   string
}

// NewAtomicLong returns the counter stored at path.
func NewAtomicLong(c *paddock.Client, path string) *AtomicLong {
	return &AtomicLong{client: c, path: strings.TrimSuffix(path, "/")}
}

func (a *AtomicLong) read(ctx context.Context) (value int64, version int32, exists bool, err error) {
	data, st, err := a.client.GetData(ctx, a.path)
	if errors.Is(err, paddock.ErrNoNode) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, err
	}
	switch len(data) {
	case 0:
		return 0, st.Version, true, nil
	case 8:
		return int64(binary.BigEndian.Uint64(data)), st.Version, true, nil
	default:
		return 0, 0, false, fmt.Errorf("recipes: counter %s holds %d bytes, not 8", a.path, len(data))
	}
}

// Get returns the current value.
func (a *AtomicLong) Get(ctx context.Context) (int64, error) {
	v, _, _, err := a.read(ctx)
	return v, err
}

// Add adds delta atomically and returns the values before and after.
func (a *AtomicLong) Add(ctx context.Context, delta int64) (pre, post int64, err error) {
	pre, post, _, err = a.Update(ctx, func(v int64) (int64, bool) { return v + delta, true })
	return pre, post, err
}

// CompareAndSet sets next only if the value is expected; false (and no write) otherwise.
func (a *AtomicLong) CompareAndSet(ctx context.Context, expected, next int64) (bool, error) {
	_, _, won, err := a.Update(ctx, func(v int64) (int64, bool) { return next, v == expected })
	return won, err
}

// Update applies f in a compare-and-set loop; f returning false aborts with no write.
func (a *AtomicLong) Update(ctx context.Context, f func(int64) (int64, bool)) (pre, post int64, written bool, err error) {
	for attempt := 0; attempt < atomicAttempts; attempt++ {
		value, version, exists, err := a.read(ctx)
		if err != nil {
			return 0, 0, false, err
		}
		next, ok := f(value)
		if !ok {
			return value, value, false, nil
		}
		data := binary.BigEndian.AppendUint64(nil, uint64(next))
		if exists {
			_, err = a.client.SetData(ctx, a.path, data, version)
		} else {
			if i := strings.LastIndexByte(a.path, '/'); i > 0 {
				if err := ensurePath(ctx, a.client, a.path[:i], nil); err != nil {
					return 0, 0, false, err
				}
			}
			_, err = a.client.Create(ctx, a.path, data, paddock.ModePersistent, nil)
		}
		if err == nil {
			return value, next, true, nil
		}
		if !errors.Is(err, paddock.ErrBadVersion) && !errors.Is(err, paddock.ErrNodeExists) {
			return 0, 0, false, err
		}
	}
	return 0, 0, false, fmt.Errorf("recipes: counter %s: no update won in %d attempts", a.path, atomicAttempts)
}
