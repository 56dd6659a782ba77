// A program outside the client's module, built the way a user's would be: it imports the
// client by its module path (go.mod points the path at this checkout with a replace directive).
//
//	go run . 127.0.0.1:2181
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
	"github.com/paddock-dev/paddock/clients/go/recipes"
)

func main() {
	server := "127.0.0.1:2181"
	if len(os.Args) > 1 {
		server = os.Args[1]
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := paddock.Connect(ctx, []string{server})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close(context.Background())

	path := fmt.Sprintf("/hello-%d", os.Getpid())
	if _, err := c.Create(ctx, path, []byte("hi"), paddock.ModePersistent, nil); err != nil {
		log.Fatal(err)
	}
	data, stat, err := c.GetData(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("read %q at version %d\n", data, stat.Version)
	if _, err := c.SetData(ctx, path, []byte("stale"), stat.Version+1); !errors.Is(err, paddock.ErrBadVersion) {
		log.Fatalf("expected BadVersion, got %v", err)
	}
	lock := recipes.NewLock(c, path+"/lock", nil)
	if err := lock.Lock(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("holding the lock, fencing token %d\n", lock.FencingToken())
	if err := lock.Unlock(ctx); err != nil {
		log.Fatal(err)
	}
}
