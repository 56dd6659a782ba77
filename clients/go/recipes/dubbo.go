package recipes

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// DubboCategories are the categories under a Dubbo interface's node.
var DubboCategories = []string{"providers", "consumers", "configurators", "routers"}

// DubboRegistry is Dubbo's ZooKeeper registry layout (interface level), as the TypeScript
// DubboRegistry: a URL is registered as "<root>/<encoded interface>/<category>/<encoded URL>";
// providers and consumers are ephemeral unless the URL says dynamic=false. Names are encoded as
// Java's URLEncoder (JavaURLEncode), which Dubbo uses, so Dubbo finds what is registered here.
type DubboRegistry struct {
	client *paddock.Client
	root   string
}

// NewDubboRegistry returns the registry under root ("/dubbo" is Dubbo's default).
func NewDubboRegistry(c *paddock.Client, root string) *DubboRegistry {
	return &DubboRegistry{client: c, root: strings.TrimSuffix(root, "/")}
}

// JavaURLEncode is java.net.URLEncoder.encode(s, "UTF-8"): letters, digits and ".-*_" stay,
// space becomes '+', every other byte %XX.
func JavaURLEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte(".-*_", c) >= 0:
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// JavaURLDecode undoes JavaURLEncode.
func JavaURLDecode(s string) (string, error) { return url.QueryUnescape(s) }

// DubboPlace is the interface and category of a Dubbo URL, as Dubbo's ZookeeperRegistry derives them.
func DubboPlace(rawURL string) (service, category string, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", "", fmt.Errorf("recipes: Dubbo URL %s: %w", rawURL, err)
	}
	q := u.Query()
	service = q.Get("interface")
	if service == "" {
		service = strings.TrimPrefix(u.Path, "/")
	}
	if service == "" {
		return "", "", fmt.Errorf("recipes: Dubbo URL %s names no interface", rawURL)
	}
	category = q.Get("category")
	for _, c := range DubboCategories {
		if c == category {
			return service, category, nil
		}
	}
	if u.Scheme == "consumer" {
		return service, "consumers", nil
	}
	return service, "providers", nil
}

// PathOf is the node a URL is registered at.
func (r *DubboRegistry) PathOf(rawURL string) (string, error) {
	service, category, err := DubboPlace(rawURL)
	if err != nil {
		return "", err
	}
	return r.root + "/" + JavaURLEncode(service) + "/" + category + "/" + JavaURLEncode(rawURL), nil
}

// Register creates the URL's node: ephemeral unless the URL says dynamic=false (Dubbo's rule).
func (r *DubboRegistry) Register(ctx context.Context, rawURL string) (string, error) {
	path, err := r.PathOf(rawURL)
	if err != nil {
		return "", err
	}
	u, _ := url.Parse(rawURL) // parsed by PathOf already
	mode := paddock.ModeEphemeral
	if u.Query().Get("dynamic") == "false" {
		mode = paddock.ModePersistent
	}
	if err := ensurePath(ctx, r.client, path[:strings.LastIndexByte(path, '/')], nil); err != nil {
		return "", err
	}
	if _, err := r.client.Create(ctx, path, nil, mode, nil); err != nil && !errors.Is(err, paddock.ErrNodeExists) {
		return "", err
	}
	return path, nil
}

// Unregister deletes the URL's node (already gone is fine).
func (r *DubboRegistry) Unregister(ctx context.Context, rawURL string) error {
	path, err := r.PathOf(rawURL)
	if err != nil {
		return err
	}
	if err := r.client.Delete(ctx, path, paddock.AnyVersion); err != nil && !errors.Is(err, paddock.ErrNoNode) {
		return err
	}
	return nil
}

// Lookup returns the decoded URLs of one interface's category (none when the node is missing).
func (r *DubboRegistry) Lookup(ctx context.Context, service, category string) ([]string, error) {
	urls, _, err := r.lookup(ctx, service, category, false)
	return urls, err
}

// LookupW is Lookup with a watch that fires on the next change of the category (or its creation).
func (r *DubboRegistry) LookupW(ctx context.Context, service, category string) ([]string, <-chan paddock.Event, error) {
	return r.lookup(ctx, service, category, true)
}

func (r *DubboRegistry) lookup(ctx context.Context, service, category string, watch bool) ([]string, <-chan paddock.Event, error) {
	known := false
	for _, c := range DubboCategories {
		known = known || c == category
	}
	if !known {
		return nil, nil, fmt.Errorf("recipes: Dubbo category %q is not one of %v", category, DubboCategories)
	}
	path := r.root + "/" + JavaURLEncode(service) + "/" + category
	for {
		var names []string
		var changed <-chan paddock.Event
		var err error
		if watch {
			names, _, changed, err = r.client.GetChildrenW(ctx, path)
		} else {
			names, _, err = r.client.GetChildren(ctx, path)
		}
		if errors.Is(err, paddock.ErrNoNode) {
			if !watch {
				return nil, nil, nil
			}
			ok, _, created, err := r.client.ExistsW(ctx, path)
			if err != nil {
				return nil, nil, err
			}
			if ok {
				continue // created meanwhile: list it
			}
			return nil, created, nil
		}
		if err != nil {
			return nil, nil, err
		}
		urls := make([]string, 0, len(names))
		for _, n := range names {
			u, err := JavaURLDecode(n)
			if err != nil {
				return nil, nil, fmt.Errorf("recipes: Dubbo node %s/%s: %w", path, n, err)
			}
			urls = append(urls, u)
		}
		sort.Strings(urls)
		return urls, changed, nil
	}
}
