package recipes

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// DubboInstance is one instance in Dubbo 3's application-level layout, as the TypeScript
// DubboApplications: the node "<services>/<app>/<id>" (ephemeral) holds Curator x-discovery
// ServiceInstance JSON whose payload is Dubbo's ZookeeperInstance (id, name, metadata).
type DubboInstance struct {
	App                 string            `json:"app"`
	ID                  string            `json:"id"`
	Address             string            `json:"address"`
	Port                int               `json:"port"`
	Metadata            map[string]string `json:"metadata"`
	RegistrationTimeUTC int64             `json:"registrationTimeUTC"`
}

// dubboInstanceJSON is the node's data, field for field as a Dubbo 3.3 provider writes it.
type dubboInstanceJSON struct {
	Name                string          `json:"name"`
	ID                  string          `json:"id"`
	Address             string          `json:"address"`
	Port                int             `json:"port"`
	SSLPort             *int            `json:"sslPort"`
	Payload             *dubboPayload   `json:"payload"`
	RegistrationTimeUTC int64           `json:"registrationTimeUTC"`
	ServiceType         string          `json:"serviceType"`
	URISpec             json.RawMessage `json:"uriSpec"`
}

type dubboPayload struct {
	Class    string            `json:"@class"`
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Metadata map[string]string `json:"metadata"`
}

// DubboApplications registers and finds instances in Dubbo 3's application-level layout:
// instances under "<services>/<app>/<id>" and "<mapping>/<interface>" (persistent, the interface
// name as is) holding the comma-separated applications that provide the interface. Registering
// with interfaces also writes the application's MetadataInfo to Dubbo's metadata report
// ("/dubbo/metadata/<app>/<revision>", the instance saying dubbo.metadata.storage-type=remote),
// which a Dubbo 3 consumer reads to build the URLs it calls.
type DubboApplications struct {
	client   *paddock.Client
	services string
	mapping  string
	metadata string
}

// NewDubboApplications uses Dubbo's defaults, "/services" and "/dubbo/mapping".
func NewDubboApplications(c *paddock.Client) *DubboApplications {
	return NewDubboApplicationsAt(c, "/services", "/dubbo/mapping")
}

// NewDubboApplicationsAt uses other roots (Dubbo's registry and metadata-report "root"/"group").
func NewDubboApplicationsAt(c *paddock.Client, services, mapping string) *DubboApplications {
	mapping = strings.TrimSuffix(mapping, "/")
	// The metadata report sits beside the mapping ("/dubbo/mapping" → "/dubbo/metadata").
	metadata := mapping[:strings.LastIndexByte(mapping, '/')+1] + "metadata"
	return &DubboApplications{client: c, services: strings.TrimSuffix(services, "/"), mapping: mapping, metadata: metadata}
}

func dubboSegment(kind, name string) error {
	if name == "" || strings.Contains(name, "/") {
		return fmt.Errorf("recipes: Dubbo %s name %q must be non-empty and hold no '/'", kind, name)
	}
	return nil
}

// Register creates the instance's ephemeral node (id "<address>:<port>" when empty; the metadata
// gains "dubbo.endpoints" for the dubbo protocol) and maps each interface to its application.
func (d *DubboApplications) Register(ctx context.Context, inst DubboInstance, interfaces ...string) (DubboInstance, error) {
	if inst.ID == "" {
		inst.ID = fmt.Sprintf("%s:%d", inst.Address, inst.Port)
	}
	if err := errors.Join(dubboSegment("application", inst.App), dubboSegment("instance", inst.ID)); err != nil {
		return inst, err
	}
	metadata := map[string]string{"dubbo.endpoints": fmt.Sprintf(`[{"port":%d,"protocol":"dubbo"}]`, inst.Port)}
	if len(interfaces) > 0 {
		revision, err := d.publishMetadata(ctx, inst.App, inst.Port, interfaces)
		if err != nil {
			return inst, err
		}
		metadata["dubbo.metadata.revision"] = revision
		metadata["dubbo.metadata.storage-type"] = "remote"
	}
	for k, v := range inst.Metadata {
		metadata[k] = v
	}
	inst.Metadata = metadata
	inst.RegistrationTimeUTC = time.Now().UnixMilli()
	data, err := json.Marshal(dubboInstanceJSON{
		Name: inst.App, ID: inst.ID, Address: inst.Address, Port: inst.Port,
		Payload:             &dubboPayload{Class: "org.apache.dubbo.registry.zookeeper.ZookeeperInstance", ID: inst.ID, Name: inst.App, Metadata: metadata},
		RegistrationTimeUTC: inst.RegistrationTimeUTC, ServiceType: "DYNAMIC", URISpec: json.RawMessage("null"),
	})
	if err != nil {
		return inst, err
	}
	base := d.services + "/" + inst.App
	if err := ensurePath(ctx, d.client, base, nil); err != nil {
		return inst, err
	}
	if _, err := d.client.Create(ctx, base+"/"+inst.ID, data, paddock.ModeEphemeral, nil); err != nil {
		return inst, err
	}
	for _, iface := range interfaces {
		if err := d.Map(ctx, iface, inst.App); err != nil {
			return inst, err
		}
	}
	return inst, nil
}

type dubboServiceInfo struct {
	Name     string            `json:"name"`
	Params   map[string]string `json:"params"`
	Path     string            `json:"path"`
	Port     int               `json:"port"`
	Protocol string            `json:"protocol"`
}

// publishMetadata writes the application's MetadataInfo (one dubbo service per interface) under
// its revision: the MD5 of "app|port|protocol|sorted interfaces", as every Paddock client makes it
// (Dubbo's consumers look the revision up and do not recompute it).
func (d *DubboApplications) publishMetadata(ctx context.Context, app string, port int, interfaces []string) (string, error) {
	sorted := append([]string(nil), interfaces...)
	sort.Strings(sorted)
	services := map[string]dubboServiceInfo{}
	for _, iface := range sorted {
		if err := dubboSegment("interface", iface); err != nil {
			return "", err
		}
		params := map[string]string{"side": "provider", "interface": iface, "application": app, "dubbo": "2.0.2"}
		services[iface+":dubbo"] = dubboServiceInfo{Name: iface, Params: params, Path: iface, Port: port, Protocol: "dubbo"}
	}
	sum := md5.Sum([]byte(fmt.Sprintf("%s|%d|dubbo|%s", app, port, strings.Join(sorted, ","))))
	revision := hex.EncodeToString(sum[:])
	data, err := json.Marshal(map[string]any{"app": app, "revision": revision, "services": services})
	if err != nil {
		return "", err
	}
	base := d.metadata + "/" + app
	if err := ensurePath(ctx, d.client, base, nil); err != nil {
		return "", err
	}
	if _, err := d.client.Create(ctx, base+"/"+revision, data, paddock.ModePersistent, nil); err != nil && !errors.Is(err, paddock.ErrNodeExists) {
		return "", err // NodeExists: the same content under the same revision
	}
	return revision, nil
}

// Unregister deletes an instance's node (already gone is fine).
func (d *DubboApplications) Unregister(ctx context.Context, app, id string) error {
	err := d.client.Delete(ctx, d.services+"/"+app+"/"+id, paddock.AnyVersion)
	if err != nil && !errors.Is(err, paddock.ErrNoNode) {
		return err
	}
	return nil
}

// Map adds app to the interface's mapping with compare-and-set on the node's version, as Dubbo does.
func (d *DubboApplications) Map(ctx context.Context, iface, app string) error {
	if err := errors.Join(dubboSegment("interface", iface), dubboSegment("application", app)); err != nil {
		return err
	}
	path := d.mapping + "/" + iface
	for {
		data, stat, err := d.client.GetData(ctx, path)
		if err == nil {
			apps := splitApps(data)
			for _, a := range apps {
				if a == app {
					return nil
				}
			}
			_, err = d.client.SetData(ctx, path, []byte(strings.Join(append(apps, app), ",")), stat.Version)
			if errors.Is(err, paddock.ErrBadVersion) {
				continue // another writer came first: read again
			}
			return err
		}
		if !errors.Is(err, paddock.ErrNoNode) {
			return err
		}
		if err := ensurePath(ctx, d.client, d.mapping, nil); err != nil {
			return err
		}
		_, err = d.client.Create(ctx, path, []byte(app), paddock.ModePersistent, nil)
		if !errors.Is(err, paddock.ErrNodeExists) {
			return err
		}
	}
}

// ApplicationsOf returns the applications mapped to an interface (none when unmapped).
func (d *DubboApplications) ApplicationsOf(ctx context.Context, iface string) ([]string, error) {
	if err := dubboSegment("interface", iface); err != nil {
		return nil, err
	}
	data, _, err := d.client.GetData(ctx, d.mapping+"/"+iface)
	if errors.Is(err, paddock.ErrNoNode) {
		return nil, nil
	}
	return splitApps(data), err
}

// Instances returns every instance of an application, sorted by id.
func (d *DubboApplications) Instances(ctx context.Context, app string) ([]DubboInstance, error) {
	if err := dubboSegment("application", app); err != nil {
		return nil, err
	}
	base := d.services + "/" + app
	ids, _, err := d.client.GetChildren(ctx, base)
	if errors.Is(err, paddock.ErrNoNode) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sort.Strings(ids)
	out := make([]DubboInstance, 0, len(ids))
	for _, id := range ids {
		data, _, err := d.client.GetData(ctx, base+"/"+id)
		if errors.Is(err, paddock.ErrNoNode) {
			continue // gone since the listing
		}
		if err != nil {
			return nil, err
		}
		var j dubboInstanceJSON
		if err := json.Unmarshal(data, &j); err != nil {
			return nil, fmt.Errorf("recipes: Dubbo instance %s/%s is not JSON: %w", base, id, err)
		}
		inst := DubboInstance{App: j.Name, ID: j.ID, Address: j.Address, Port: j.Port, Metadata: map[string]string{}, RegistrationTimeUTC: j.RegistrationTimeUTC}
		if j.Payload != nil && j.Payload.Metadata != nil {
			inst.Metadata = j.Payload.Metadata
		}
		out = append(out, inst)
	}
	return out, nil
}

// ProvidersOf returns the instances of every application mapped to an interface.
func (d *DubboApplications) ProvidersOf(ctx context.Context, iface string) ([]DubboInstance, error) {
	apps, err := d.ApplicationsOf(ctx, iface)
	if err != nil {
		return nil, err
	}
	var out []DubboInstance
	for _, app := range apps {
		found, err := d.Instances(ctx, app)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	return out, nil
}

func splitApps(data []byte) []string {
	var apps []string
	for _, a := range strings.Split(string(data), ",") {
		if a = strings.TrimSpace(a); a != "" {
			apps = append(apps, a)
		}
	}
	return apps
}
