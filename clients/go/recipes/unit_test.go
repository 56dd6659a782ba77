package recipes

import (
	"reflect"
	"regexp"
	"testing"
)

// Contenders sort by the sequence after the marker, protected (Curator, TypeScript) and plain
// names together; foreign children are ignored.
func TestSortContenders(t *testing.T) {
	got := sortContenders([]string{
		"lock-0000000010", "other", "_c_9b2f1c8e-0d3a-4c55-8f0e-1a2b3c4d5e6f-lock-0000000002",
		"lock-x", "lock-0000000001", "_c_00000000-0000-4000-8000-000000000000-latch-0000000000",
	})
	want := []string{"lock-0000000001", "_c_9b2f1c8e-0d3a-4c55-8f0e-1a2b3c4d5e6f-lock-0000000002", "lock-0000000010"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("sortContenders = %v, want %v", got, want)
	}
	if n, ok := Sequence("_c_x-lock-0000000042"); !ok || n != 42 {
		t.Fatalf("Sequence = %d, %v", n, ok)
	}
	if n, ok := SequenceAfter("_c_x-latch-0000000003", LatchMarker); !ok || n != 3 {
		t.Fatalf("SequenceAfter latch = %d, %v", n, ok)
	}
}

// The protection prefix is Curator's: "_c_" and a version-4 UUID, then "-".
func TestProtectedPrefix(t *testing.T) {
	p := protectedPrefix()
	if !regexp.MustCompile(`^_c_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-$`).MatchString(p) {
		t.Fatalf("protectedPrefix = %q", p)
	}
	if p == protectedPrefix() {
		t.Fatal("two prefixes are equal")
	}
}
