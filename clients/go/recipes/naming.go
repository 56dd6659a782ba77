package recipes

import (
	"context"
	"errors"
	"strings"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// NextID returns a cluster-unique id: the counter ZooKeeper appends to "<path>/id-" (created
// persistent sequential, then deleted, so nothing accumulates). The parent's counter only grows,
// so ids are unique and increasing for the life of path, whichever client language takes them.
func NextID(ctx context.Context, c *paddock.Client, path string) (int64, error) {
	path = strings.TrimSuffix(path, "/")
	if err := ensurePath(ctx, c, path, nil); err != nil {
		return 0, err
	}
	node, err := c.Create(ctx, path+"/id-", nil, paddock.ModePersistentSequential, nil)
	if err != nil {
		return 0, err
	}
	if err := c.Delete(ctx, node, paddock.AnyVersion); err != nil && !errors.Is(err, paddock.ErrNoNode) {
		return 0, err
	}
	id, _ := SequenceAfter(node, "id-")
	return id, nil
}
