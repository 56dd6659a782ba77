package recipes_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paddock-dev/paddock/clients/go/recipes"
)

// Two readers hold together; a writer waits for them and a reader behind the writer waits for it.
func TestReadWriteLock(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const path = "/go-rw"
	r1, r2 := recipes.NewReadWriteLock(connect(t), path), recipes.NewReadWriteLock(connect(t), path)
	w := recipes.NewReadWriteLock(connect(t), path)
	if err := r1.ReadLock.Lock(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r2.ReadLock.Lock(ctx); err != nil {
		t.Fatal("second reader:", err)
	}
	if !strings.Contains(r1.ReadLock.Node(), "-__READ__") || !strings.HasPrefix(r1.ReadLock.Node(), path+"/_c_") {
		t.Fatalf("reader node %s", r1.ReadLock.Node())
	}
	short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancelShort()
	if err := w.WriteLock.Lock(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("writer while readers hold: %v", err)
	}
	wrote := make(chan error, 1)
	go func() { wrote <- w.WriteLock.Lock(ctx) }()
	waitChildren(t, ctx, path, 3)
	if err := r1.ReadLock.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r2.ReadLock.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-wrote; err != nil {
		t.Fatal("writer:", err)
	}
	late, cancelLate := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancelLate()
	if err := r1.ReadLock.Lock(late); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("reader while a writer holds: %v", err)
	}
	if err := w.ReadLock.Lock(ctx); err != nil {
		t.Fatal("the writer's own read lock (downgrade):", err)
	}
}

func waitChildren(t *testing.T, ctx context.Context, path string, n int) {
	t.Helper()
	c := connect(t)
	for {
		kids, _, changed, err := c.GetChildrenW(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if len(kids) >= n {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("%s never had %d children", path, n)
		}
	}
}

// At most two leases at once; a third acquirer gets one when a lease is released.
func TestSemaphore(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const path = "/go-sem"
	sem := func() *recipes.Semaphore {
		s, err := recipes.NewSemaphore(connect(t), path, 2)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if _, err := recipes.NewSemaphore(connect(t), path, 0); err == nil {
		t.Fatal("maxLeases 0 accepted")
	}
	l1, err1 := sem().Acquire(ctx)
	l2, err2 := sem().Acquire(ctx)
	if err1 != nil || err2 != nil || l2.Czxid <= l1.Czxid || !strings.Contains(l1.Path, "/leases/_c_") {
		t.Fatalf("leases %v %v, %v %v", l1, err1, l2, err2)
	}
	short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancelShort()
	third := sem()
	if _, err := third.Acquire(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third lease while two are out: %v", err)
	}
	got := make(chan error, 1)
	go func() {
		_, err := third.Acquire(ctx)
		got <- err
	}()
	if err := l1.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatal("third lease after a release:", err)
	}
}

// Concurrent increments from several sessions all count; the data is 8 bytes big-endian.
func TestAtomicLong(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const path = "/go-counters/hits"
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		counter := recipes.NewAtomicLong(connect(t), path)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				if _, _, err := counter.Add(ctx, 1); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	c := connect(t)
	data, _, err := c.GetData(ctx, path)
	if err != nil || fmt.Sprintf("%x", data) != "0000000000000028" {
		t.Fatalf("counter data %x %v, want 40 as 8 bytes", data, err)
	}
	counter := recipes.NewAtomicLong(c, path)
	if ok, err := counter.CompareAndSet(ctx, 39, 0); ok || err != nil {
		t.Fatalf("CAS with a stale value: %v %v", ok, err)
	}
	if ok, err := counter.CompareAndSet(ctx, 40, 7); !ok || err != nil {
		t.Fatalf("CAS: %v %v", ok, err)
	}
	if v, err := counter.Get(ctx); v != 7 || err != nil {
		t.Fatalf("Get = %d %v", v, err)
	}
}

func TestBarrier(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b := recipes.NewBarrier(connect(t), "/go-barriers/b")
	if err := b.Set(ctx); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	waiter := recipes.NewBarrier(connect(t), "/go-barriers/b")
	go func() { waited <- waiter.Wait(ctx) }()
	short, cancelShort := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancelShort()
	if err := waiter.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait with the barrier up: %v", err)
	}
	if err := b.Remove(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
}

// FIFO order, priorities first, Curator's framing, and each item taken by exactly one consumer.
func TestQueue(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const path = "/go-queue"
	producer := recipes.NewQueue(connect(t), path)
	for i := 0; i < 3; i++ {
		if _, err := producer.Put(ctx, []byte(fmt.Sprint("item-", i))); err != nil {
			t.Fatal(err)
		}
	}
	if first, err := recipes.NewQueue(connect(t), path).Take(ctx); err != nil || string(first) != "item-0" {
		t.Fatalf("first take %q %v", first, err)
	}
	var mu sync.Mutex
	var taken []string
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		consumer := recipes.NewQueue(connect(t), path)
		wg.Add(1)
		go func() {
			defer wg.Done()
			item, err := consumer.Take(ctx)
			mu.Lock()
			defer mu.Unlock()
			taken = append(taken, fmt.Sprint(string(item), err))
		}()
	}
	wg.Wait()
	sort.Strings(taken)
	if fmt.Sprint(taken) != "[item-1<nil> item-2<nil>]" {
		t.Fatalf("two consumers took %v", taken)
	}
	pq := recipes.NewQueue(connect(t), "/go-pqueue")
	for _, p := range []int32{5, -1, 2} {
		if _, err := pq.PutPriority(ctx, []byte(fmt.Sprint(p)), p); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{"-1", "2", "5"} {
		if got, err := pq.Take(ctx); err != nil || string(got) != want {
			t.Fatalf("priority take %q %v, want %s", got, err, want)
		}
	}
	framed := recipes.SerializeItems([]byte("ab"))
	if fmt.Sprintf("%x", framed) != "00010001010000000261620"+"2" {
		t.Fatalf("framing %x", framed)
	}
	if recipes.PriorityKey(-1) != "0FFFFFFFF" || recipes.PriorityKey(2) != "100000002" {
		t.Fatalf("PriorityKey %s %s", recipes.PriorityKey(-1), recipes.PriorityKey(2))
	}
}

// Ids are unique and increasing, and no id node is left behind.
func TestNextID(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, b := connect(t), connect(t)
	first, err1 := recipes.NextID(ctx, a, "/go-ids")
	second, err2 := recipes.NextID(ctx, b, "/go-ids")
	if err1 != nil || err2 != nil || second <= first {
		t.Fatalf("ids %d %v, %d %v", first, err1, second, err2)
	}
	if kids, _, err := a.GetChildren(ctx, "/go-ids"); err != nil || len(kids) != 0 {
		t.Fatalf("children left: %v %v", kids, err)
	}
}
