// Command paddock-barrier-demo is one member of a double barrier, for the cross-language test:
// it enters (prints "ENTERED" once -count members are in), waits until stdin closes, leaves
// (prints "LEFT" once every member left) and exits.
//
//	paddock-barrier-demo -server 127.0.0.1:2181 -path /barriers/b -count 4
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
	"github.com/paddock-dev/paddock/clients/go/recipes"
)

func main() {
	server := flag.String("server", "127.0.0.1:2181", "comma-separated host:port list")
	path := flag.String("path", "/barriers/demo", "barrier path")
	count := flag.Int("count", 2, "members to wait for")
	flag.Parse()
	if err := run(*server, *path, *count); err != nil {
		fmt.Fprintln(os.Stderr, "paddock-barrier-demo:", err)
		os.Exit(1)
	}
}

func run(server, path string, count int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := paddock.Connect(ctx, strings.Split(server, ","))
	if err != nil {
		return err
	}
	defer func() { _ = c.Close(context.Background()) }()
	b, err := recipes.NewDoubleBarrier(c, path, count)
	if err != nil {
		return err
	}
	if err := b.Enter(ctx); err != nil {
		return err
	}
	fmt.Println("ENTERED")
	_, _ = io.Copy(io.Discard, os.Stdin) // inside until the caller closes stdin
	if err := b.Leave(ctx); err != nil {
		return err
	}
	fmt.Println("LEFT")
	return nil
}
