// Command paddock-lock-demo takes a Paddock lock (or, with -recipe latch, leadership of a leader
// latch), holds it, and releases it, printing "ACQUIRED <id>" and "RELEASED <id>" on stdout. It is
// used to check that clients in different languages exclude each other on the same path.
//
//	paddock-lock-demo -servers 127.0.0.1:2181 -path /locks/demo -hold 2s -id go-1 [-recipe latch]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
	"github.com/paddock-dev/paddock/clients/go/recipes"
)

func main() {
	servers := flag.String("servers", "127.0.0.1:2181", "comma-separated host:port list")
	path := flag.String("path", "/locks/demo", "lock path")
	hold := flag.Duration("hold", 2*time.Second, "how long to hold the lock")
	id := flag.String("id", fmt.Sprintf("go-%d", os.Getpid()), "id printed and stored in the lock node")
	wait := flag.Duration("timeout", time.Minute, "how long to wait for the lock")
	sessionTimeout := flag.Duration("session-timeout", 10*time.Second, "session timeout")
	recipe := flag.String("recipe", "lock", "lock or latch")
	flag.Parse()
	if *recipe != "lock" && *recipe != "latch" {
		fmt.Fprintf(os.Stderr, "paddock-lock-demo: -recipe %q: want lock or latch\n", *recipe)
		os.Exit(2)
	}
	if err := run(strings.Split(*servers, ","), *path, *id, *recipe, *hold, *wait, *sessionTimeout); err != nil {
		fmt.Fprintln(os.Stderr, "paddock-lock-demo:", err)
		os.Exit(1)
	}
}

func run(servers []string, path, id, recipe string, hold, wait, sessionTimeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	c, err := paddock.Connect(ctx, servers, paddock.WithSessionTimeout(sessionTimeout))
	if err != nil {
		return err
	}
	defer func() { _ = c.Close(context.Background()) }()
	take, give := lockFuncs(c, path, id, recipe)
	if err := take(ctx); err != nil {
		return fmt.Errorf("acquire %s: %w", path, err)
	}
	fmt.Printf("ACQUIRED %s\n", id)
	time.Sleep(hold) // holding the lock is the point of this command
	// Printed before the node goes, as the Python and Java demos do, so a shared output's line
	// order is the lock's hand-over order.
	fmt.Printf("RELEASED %s\n", id)
	if err := give(context.Background()); err != nil {
		return fmt.Errorf("release %s: %w", path, err)
	}
	return nil
}

func lockFuncs(c *paddock.Client, path, id, recipe string) (take, give func(context.Context) error) {
	if recipe == "latch" {
		e := recipes.NewLeaderElection(c, path, []byte(id))
		return e.Campaign, e.Resign
	}
	l := recipes.NewLock(c, path, nil).WithData([]byte(id))
	return l.Lock, l.Unlock
}
