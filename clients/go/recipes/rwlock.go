package recipes

import (
	"strings"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// Curator's InterProcessReadWriteLock markers.
const (
	ReadMarker  = "__READ__"
	WriteMarker = "__WRIT__"
)

// ReadWriteLock is Curator's InterProcessReadWriteLock layout: readers create
// "<path>/_c_<uuid>-__READ__<seq>", writers "…-__WRIT__<seq>", all ordered by sequence. A writer
// holds when first and watches its predecessor; a reader holds when no writer is ahead of it and
// otherwise watches the first writer ahead (the readers behind it may then proceed together).
type ReadWriteLock struct {
	ReadLock  *Lock
	WriteLock *Lock
}

// NewReadWriteLock returns the read and write locks on path (use each from one goroutine).
func NewReadWriteLock(c *paddock.Client, path string) *ReadWriteLock {
	markers := []string{ReadMarker, WriteMarker}
	w := NewLock(c, path, nil)
	w.marker, w.markers = WriteMarker, markers
	r := NewLock(c, path, nil)
	r.marker, r.markers = ReadMarker, markers
	r.holds = func(sorted []string, ours int) (bool, int) {
		if w.node != "" {
			return true, 0 // a held write lock may take the read lock (downgrade)
		}
		for i := 0; i < ours; i++ {
			if strings.Contains(sorted[i], WriteMarker) {
				return false, i
			}
		}
		return true, 0
	}
	return &ReadWriteLock{ReadLock: r, WriteLock: w}
}
