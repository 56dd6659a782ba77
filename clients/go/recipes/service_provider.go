package recipes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// Strategy picks one instance from a ServiceProvider's cache (Curator's ProviderStrategy).
type Strategy int

const (
	// RoundRobin takes the instances in turn (Curator's RoundRobinStrategy).
	RoundRobin Strategy = iota
	// Random takes any instance (Curator's RandomStrategy).
	Random
	// Sticky keeps the same instance until it leaves, then takes the next by round robin
	// (Curator's StickyStrategy over round robin).
	Sticky
)

// providerReadTimeout bounds one re-read of the instances.
const providerReadTimeout = 10 * time.Second

// ServiceProvider keeps the enabled instances of one service in memory (Curator's ServiceCache
// under a ServiceProvider): they are read at Start, re-read on every change of the service's
// children and after every reconnect, and Instance picks one by the strategy without a request.
type ServiceProvider struct {
	discovery *ServiceDiscovery
	name      string
	strategy  Strategy
	stop      chan struct{}
	done      chan struct{}

	mu        sync.Mutex
	instances []ServiceInstance
	next      int
	stuck     string
	failure   error
}

// Provider returns a provider of the service name with a strategy; call Start before Instance.
func (d *ServiceDiscovery) Provider(name string, strategy Strategy) *ServiceProvider {
	return &ServiceProvider{discovery: d, name: name, strategy: strategy,
		stop: make(chan struct{}), done: make(chan struct{})}
}

// Start reads the instances and follows them until Close or the end of the session.
func (p *ServiceProvider) Start(ctx context.Context) error {
	states, unsubscribe := p.discovery.client.SubscribeStates()
	changed, err := p.refresh(ctx)
	if err != nil {
		unsubscribe()
		close(p.done)
		return err
	}
	go p.follow(changed, states, unsubscribe)
	return nil
}

// Close stops following the service.
func (p *ServiceProvider) Close() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	<-p.done
}

// Instances is a copy of the cached enabled instances, ordered by id.
func (p *ServiceProvider) Instances() []ServiceInstance {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]ServiceInstance(nil), p.instances...)
}

// Instance picks one cached instance by the strategy, or returns an error naming the service
// (and the last failed re-read, if any) when none is registered.
func (p *ServiceProvider) Instance() (ServiceInstance, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	list := p.instances
	if len(list) == 0 {
		err := fmt.Errorf("recipes: no instance of %s under %s: %w", p.name, p.discovery.base, paddock.ErrNoNode)
		if p.failure != nil {
			err = errors.Join(err, p.failure)
		}
		return ServiceInstance{}, err
	}
	switch p.strategy {
	case Random:
		return list[rand.IntN(len(list))], nil
	case Sticky:
		for _, inst := range list {
			if inst.ID == p.stuck {
				return inst, nil
			}
		}
	}
	inst := list[p.next%len(list)]
	p.next++
	p.stuck = inst.ID
	return inst, nil
}

func (p *ServiceProvider) follow(changed <-chan paddock.Event, states <-chan paddock.State, unsubscribe func()) {
	defer close(p.done)
	defer unsubscribe()
	suspended := false
	for {
		select {
		case <-p.stop:
			return
		case ev, ok := <-changed:
			if !ok || ev.Type == paddock.EventNotWatching {
				changed = nil // the session ended, or a reconnect re-reads and re-arms it
				continue
			}
			p.reread(&changed)
		case st, ok := <-states:
			if !ok || isTerminal(st) {
				return
			}
			if st == paddock.StateDisconnected {
				suspended = true
			} else if st == paddock.StateConnected && suspended {
				suspended = false
				p.reread(&changed)
			}
		}
	}
}

// reread refreshes the cache and re-arms the watch; a failure is kept for Instance to report and
// the next reconnect tries again.
func (p *ServiceProvider) reread(changed *<-chan paddock.Event) {
	ctx, cancel := context.WithTimeout(context.Background(), providerReadTimeout)
	defer cancel()
	next, err := p.refresh(ctx)
	if err != nil {
		p.mu.Lock()
		p.failure = err
		p.mu.Unlock()
		return
	}
	*changed = next
}

// refresh reads the instances with a watch on the service's children (or on the service node
// itself while it does not exist) and replaces the cache.
func (p *ServiceProvider) refresh(ctx context.Context) (<-chan paddock.Event, error) {
	c, path := p.discovery.client, p.discovery.pathOf(p.name)
	for {
		ids, _, changed, err := c.GetChildrenW(ctx, path)
		if errors.Is(err, paddock.ErrNoNode) {
			exists, _, created, err := c.ExistsW(ctx, path)
			if err != nil {
				return nil, err
			}
			if exists {
				continue // created between the two reads
			}
			p.replace(nil)
			return created, nil
		}
		if err != nil {
			return nil, err
		}
		sort.Strings(ids)
		instances := make([]ServiceInstance, 0, len(ids))
		for _, id := range ids {
			data, _, err := c.GetData(ctx, path+"/"+id)
			if errors.Is(err, paddock.ErrNoNode) {
				continue // left between the listing and the read; the watch fires for it
			}
			if err != nil {
				return nil, err
			}
			var inst ServiceInstance
			if err := json.Unmarshal(data, &inst); err != nil {
				return nil, fmt.Errorf("recipes: service instance %s/%s is not JSON: %w", path, id, err)
			}
			if inst.Enabled {
				instances = append(instances, inst)
			}
		}
		p.replace(instances)
		return changed, nil
	}
}

func (p *ServiceProvider) replace(instances []ServiceInstance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.instances, p.failure = instances, nil
}
