package paddock_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
	"github.com/paddock-dev/paddock/clients/go/recipes"
)

// The README's example; compiled with the tests (it needs a server at 127.0.0.1:2181 to run).
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := paddock.Connect(ctx, []string{"127.0.0.1:2181"}, paddock.WithSessionTimeout(10*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close(context.Background())

	if _, err := c.Create(ctx, "/app", []byte("v1"), paddock.ModePersistent, nil); err != nil &&
		!errors.Is(err, paddock.ErrNodeExists) {
		log.Fatal(err)
	}
	data, stat, events, err := c.GetDataW(ctx, "/app") // one-time watch
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s at version %d\n", data, stat.Version)
	if _, err := c.SetData(ctx, "/app", []byte("v2"), stat.Version); err != nil {
		log.Fatal(err)
	}
	ev := <-events // delivered before SetData's reply: ZooKeeper's ordering
	fmt.Println(ev.Type, ev.Path)

	_, err = c.SetData(ctx, "/app", []byte("v3"), stat.Version) // stale version
	var pe *paddock.Error
	if errors.Is(err, paddock.ErrBadVersion) && errors.As(err, &pe) {
		fmt.Println("conflict on", pe.Path)
	}

	lock := recipes.NewLock(c, "/locks/app", nil)
	if err := lock.Lock(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("holding", lock.Node())
	_ = lock.Unlock(ctx)
}
