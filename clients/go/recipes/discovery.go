package recipes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// ServiceInstance is Curator x-discovery's ServiceInstance JSON, field for field, so Curator's
// ServiceDiscovery and the other Paddock clients read what Go registers and the other way round.
// Unset address, ports, payload and uriSpec are written as null, as the TypeScript client does.
type ServiceInstance struct {
	Name                string          `json:"name"`
	ID                  string          `json:"id"`
	Address             *string         `json:"address"`
	Port                *int            `json:"port"`
	SSLPort             *int            `json:"sslPort"`
	Payload             json.RawMessage `json:"payload"`
	RegistrationTimeUTC int64           `json:"registrationTimeUTC"`
	ServiceType         string          `json:"serviceType"`
	URISpec             json.RawMessage `json:"uriSpec"`
	Enabled             bool            `json:"enabled"`
}

// NewServiceInstance returns an enabled DYNAMIC (ephemeral) instance registered now; a zero port
// is written as null.
func NewServiceInstance(name, id, address string, port int) ServiceInstance {
	inst := ServiceInstance{
		Name: name, ID: id, Address: &address, Payload: json.RawMessage("null"), URISpec: json.RawMessage("null"),
		RegistrationTimeUTC: time.Now().UnixMilli(), ServiceType: "DYNAMIC", Enabled: true,
	}
	if port != 0 {
		inst.Port = &port
	}
	return inst
}

// ServiceDiscovery registers and finds service instances under a base path in Curator's layout:
// "<base>/<service>/<instanceId>", ephemeral for DYNAMIC instances, data = the instance's JSON.
type ServiceDiscovery struct {
	client *paddock.Client
	base   string
}

// NewServiceDiscovery returns discovery under base (for example "/services").
func NewServiceDiscovery(c *paddock.Client, base string) *ServiceDiscovery {
	return &ServiceDiscovery{client: c, base: strings.TrimSuffix(base, "/")}
}

func (d *ServiceDiscovery) pathOf(name string) string { return d.base + "/" + name }

// Register creates the instance's node; it goes with this session unless the type is not DYNAMIC.
func (d *ServiceDiscovery) Register(ctx context.Context, inst ServiceInstance) error {
	if inst.Name == "" || inst.ID == "" || strings.Contains(inst.Name, "/") || strings.Contains(inst.ID, "/") {
		return fmt.Errorf("recipes: service instance needs a name and an id without '/': name %q, id %q", inst.Name, inst.ID)
	}
	if inst.ServiceType == "" {
		inst.ServiceType = "DYNAMIC"
	}
	for _, raw := range []*json.RawMessage{&inst.Payload, &inst.URISpec} {
		if len(*raw) == 0 {
			*raw = json.RawMessage("null")
		}
	}
	data, err := json.Marshal(inst)
	if err != nil {
		return fmt.Errorf("recipes: encode instance %s of %s: %w", inst.ID, inst.Name, err)
	}
	mode := paddock.ModeEphemeral
	if inst.ServiceType != "DYNAMIC" {
		mode = paddock.ModePersistent
	}
	if err := ensurePath(ctx, d.client, d.pathOf(inst.Name), nil); err != nil {
		return err
	}
	_, err = d.client.Create(ctx, d.pathOf(inst.Name)+"/"+inst.ID, data, mode, nil)
	if errors.Is(err, paddock.ErrNodeExists) {
		return fmt.Errorf("recipes: instance %s of %s is already registered: %w", inst.ID, inst.Name, err)
	}
	return err
}

// Unregister deletes the instance's node (no error if it is already gone).
func (d *ServiceDiscovery) Unregister(ctx context.Context, name, id string) error {
	err := d.client.Delete(ctx, d.pathOf(name)+"/"+id, paddock.AnyVersion)
	if errors.Is(err, paddock.ErrNoNode) {
		return nil
	}
	return err
}

// QueryForNames lists the registered services.
func (d *ServiceDiscovery) QueryForNames(ctx context.Context) ([]string, error) {
	names, _, err := d.client.GetChildren(ctx, d.base)
	if errors.Is(err, paddock.ErrNoNode) {
		return nil, nil
	}
	sort.Strings(names)
	return names, err
}

// QueryForInstances reads every instance of a service, ordered by id; instances that leave
// between the listing and the read are skipped.
func (d *ServiceDiscovery) QueryForInstances(ctx context.Context, name string) ([]ServiceInstance, error) {
	ids, _, err := d.client.GetChildren(ctx, d.pathOf(name))
	if errors.Is(err, paddock.ErrNoNode) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sort.Strings(ids)
	out := make([]ServiceInstance, 0, len(ids))
	for _, id := range ids {
		path := d.pathOf(name) + "/" + id
		data, _, err := d.client.GetData(ctx, path)
		if errors.Is(err, paddock.ErrNoNode) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var inst ServiceInstance
		if err := json.Unmarshal(data, &inst); err != nil {
			return nil, fmt.Errorf("recipes: service instance %s is not JSON: %w", path, err)
		}
		out = append(out, inst)
	}
	return out, nil
}
