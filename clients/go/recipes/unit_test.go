package recipes

import (
	"reflect"
	"testing"
)

// Contenders sort by sequence number, not by name, and foreign children are ignored.
func TestSortContenders(t *testing.T) {
	got := sortContenders([]string{"lock-0000000010", "other", "lock-0000000002", "lock-x", "lock-0000000001"})
	want := []string{"lock-0000000001", "lock-0000000002", "lock-0000000010"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("sortContenders = %v, want %v", got, want)
	}
	if n, ok := Sequence("lock-0000000042"); !ok || n != 42 {
		t.Fatalf("Sequence = %d, %v", n, ok)
	}
}
