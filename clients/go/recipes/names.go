package recipes

import (
	"crypto/rand"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Node names are Curator's, shared by the TypeScript, Go, Python and Java recipes (docs/RECIPES.md):
// a contender creates "<path>/_c_<uuid>-<marker><seq>" where marker is "lock-" for a lock and
// "latch-" for a leader latch, and contenders are ordered by the digits after the marker, so a
// name without the protection prefix ("lock-<seq>") sorts among protected ones.

// LockMarker names an exclusive lock's contender nodes (Curator's InterProcessMutex).
const LockMarker = "lock-"

// LatchMarker names a leader latch's participant nodes (Curator's LeaderLatch).
const LatchMarker = "latch-"

// protectedPrefix is Curator's "_c_<uuid>-": after a create cut by a lost connection the client
// finds its own node by it instead of creating a second one.
func protectedPrefix() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("_c_%x-%x-%x-%x-%x-", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// SequenceAfter parses the digits following the last marker in name ("_c_…-lock-0000000007"
// gives 7); false when name has no marker or no digits after it.
func SequenceAfter(name, marker string) (int64, bool) {
	at := strings.LastIndex(name, marker)
	if at < 0 || at+len(marker) == len(name) {
		return 0, false
	}
	n, err := strconv.ParseInt(name[at+len(marker):], 10, 64)
	return n, err == nil && n >= 0
}

// Sequence parses the sequence number of a lock contender name ("…lock-<seq>").
func Sequence(name string) (int64, bool) { return SequenceAfter(name, LockMarker) }

// sortByMarker keeps the names carrying marker and a sequence, ordered by that sequence.
func sortByMarker(children []string, marker string) []string {
	return sortByMarkers(children, []string{marker})
}

// sequenceOfAny is the sequence after whichever of markers the name carries.
func sequenceOfAny(name string, markers []string) (int64, bool) {
	for _, m := range markers {
		if n, ok := SequenceAfter(name, m); ok {
			return n, true
		}
	}
	return 0, false
}

// sortByMarkers keeps the names carrying one of markers and a sequence, ordered by sequence.
func sortByMarkers(children []string, markers []string) []string {
	out := make([]string, 0, len(children))
	for _, c := range children {
		if _, ok := sequenceOfAny(c, markers); ok {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := sequenceOfAny(out[i], markers)
		b, _ := sequenceOfAny(out[j], markers)
		return a < b || (a == b && out[i] < out[j])
	})
	return out
}

// sortContenders orders a lock's contenders.
func sortContenders(children []string) []string { return sortByMarker(children, LockMarker) }
