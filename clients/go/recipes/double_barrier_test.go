package recipes_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
	"github.com/paddock-dev/paddock/clients/go/recipes"
)

func TestDoubleBarrierEntersAndLeavesTogether(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const n = 3
	path := fmt.Sprintf("/double-%d", time.Now().UnixNano())
	observer := connect(t)
	if _, err := observer.Create(ctx, path, nil, paddock.ModePersistent, nil); err != nil {
		t.Fatal(err)
	}
	entered := make(chan error, n)
	leave := make(chan struct{})
	left := make(chan error, n)
	member := func(c *paddock.Client) {
		b, err := recipes.NewDoubleBarrier(c, path, n)
		if err != nil {
			entered <- err
			return
		}
		entered <- b.Enter(ctx)
		<-leave
		left <- b.Leave(ctx)
	}
	for i := 0; i < n-1; i++ {
		go member(connect(t))
	}
	waitChildren(t, ctx, path, n-1)
	select {
	case err := <-entered:
		t.Fatalf("a member entered before all %d did (err %v)", n, err)
	default:
	}
	go member(connect(t))
	for i := 0; i < n; i++ {
		if err := <-entered; err != nil {
			t.Fatal(err)
		}
	}
	close(leave)
	for i := 0; i < n; i++ {
		if err := <-left; err != nil {
			t.Fatal(err)
		}
	}
	if kids, _, err := observer.GetChildren(ctx, path); err != nil || len(kids) != 0 {
		t.Fatalf("after leaving: %v, %v", kids, err)
	}
	if _, err := recipes.NewDoubleBarrier(observer, path, 0); err == nil {
		t.Fatal("a count of 0 was accepted")
	}
}
