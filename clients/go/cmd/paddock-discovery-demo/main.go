// Command paddock-discovery-demo registers a service instance in Curator x-discovery's layout
// (-mode register: prints "REGISTERED <id>", keeps it until stdin closes, then unregisters) or
// prints every instance of a service as one JSON line each (-mode find). It is used to check that
// an instance registered in one client language is found by the others. -mode dubbo-register and
// dubbo-find do the same in Dubbo 3's application-level layout: the service is an interface, the
// id the application's name, and dubbo-find prints app, id, address, port and metadata.
// -mode dubbo-url-register registers "dubbo://ADDRESS:PORT/SERVICE?application=ID&interface=SERVICE&side=provider"
// in Dubbo's interface-level layout; dubbo-url-find prints the interface's provider URLs.
//
//	paddock-discovery-demo -server 127.0.0.1:2181 -base /services -service api -mode find
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
	"github.com/paddock-dev/paddock/clients/go/recipes"
)

func main() {
	server := flag.String("server", "127.0.0.1:2181", "comma-separated host:port list")
	base := flag.String("base", "/services", "discovery base path")
	service := flag.String("service", "demo", "service name")
	mode := flag.String("mode", "find", "register, find, dubbo-register, dubbo-find, dubbo-url-register or dubbo-url-find")
	id := flag.String("id", "go-1", "instance id (register)")
	address := flag.String("address", "127.0.0.1", "instance address (register)")
	port := flag.String("port", "8080", "instance port (register)")
	flag.Parse()
	if err := run(*server, *base, *service, *mode, *id, *address, *port); err != nil {
		fmt.Fprintln(os.Stderr, "paddock-discovery-demo:", err)
		os.Exit(1)
	}
}

func run(server, base, service, mode, id, address, port string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := paddock.Connect(ctx, strings.Split(server, ","))
	if err != nil {
		return err
	}
	defer func() { _ = c.Close(context.Background()) }()
	d := recipes.NewServiceDiscovery(c, base)
	apps := recipes.NewDubboApplicationsAt(c, base, "/dubbo/mapping")
	switch mode {
	case "dubbo-url-register":
		registry := recipes.NewDubboRegistry(c, "/dubbo")
		url := fmt.Sprintf("dubbo://%s:%s/%s?application=%s&interface=%s&side=provider", address, port, service, id, service)
		if _, err := registry.Register(ctx, url); err != nil {
			return err
		}
		fmt.Printf("REGISTERED %s\n", id)
		_, _ = io.Copy(io.Discard, os.Stdin) // registered until the caller closes stdin
		return registry.Unregister(context.Background(), url)
	case "dubbo-url-find":
		urls, err := recipes.NewDubboRegistry(c, "/dubbo").Lookup(ctx, service, "providers")
		if err != nil {
			return err
		}
		for _, u := range urls {
			fmt.Println(u)
		}
		return nil
	case "dubbo-register":
		p, err := strconv.Atoi(port)
		if err != nil {
			return fmt.Errorf("-port %q: %w", port, err)
		}
		mine, err := apps.Register(ctx, recipes.DubboInstance{App: id, Address: address, Port: p}, service)
		if err != nil {
			return err
		}
		fmt.Printf("REGISTERED %s\n", id)
		_, _ = io.Copy(io.Discard, os.Stdin) // registered until the caller closes stdin
		return apps.Unregister(context.Background(), mine.App, mine.ID)
	case "dubbo-find":
		found, err := apps.ProvidersOf(ctx, service)
		if err != nil {
			return err
		}
		for _, inst := range found {
			line, err := json.Marshal(map[string]any{"app": inst.App, "id": inst.ID, "address": inst.Address, "port": inst.Port, "metadata": inst.Metadata})
			if err != nil {
				return err
			}
			fmt.Println(string(line))
		}
		return nil
	case "register":
		p, err := strconv.Atoi(port)
		if err != nil {
			return fmt.Errorf("-port %q: %w", port, err)
		}
		if err := d.Register(ctx, recipes.NewServiceInstance(service, id, address, p)); err != nil {
			return err
		}
		fmt.Printf("REGISTERED %s\n", id)
		_, _ = io.Copy(io.Discard, os.Stdin) // registered until the caller closes stdin
		return d.Unregister(context.Background(), service, id)
	case "find":
		instances, err := d.QueryForInstances(ctx, service)
		if err != nil {
			return err
		}
		for _, inst := range instances {
			line, err := json.Marshal(inst)
			if err != nil {
				return err
			}
			fmt.Println(string(line))
		}
		return nil
	default:
		return fmt.Errorf("-mode %q: want register, find, dubbo-register, dubbo-find, dubbo-url-register or dubbo-url-find", mode)
	}
}
