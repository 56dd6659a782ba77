package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/go-zookeeper/zk"
)

var errCrash = errors.New("crash")

func runStep(sessions map[string]*session, st step, i int) error {
	op := st["op"].(string)
	sname := str(st, "s", "A")
	line := map[string]any{"i": i, "op": op, "s": sname}
	if p, ok := st["path"].(string); ok {
		line["path"] = p
	}
	emit := func(extra map[string]any) {
		for k, v := range extra {
			line[k] = v
		}
		_ = out.Encode(line)
	}
	if op == "connect" {
		s, err := open(sname)
		if err != nil {
			return err
		}
		sessions[sname] = s
		if !rootMade {
			if _, err := s.conn.Create(filepath.Dir(base), nil, 0, zk.WorldACL(zk.PermAll)); err != nil && err != zk.ErrNodeExists {
				return err
			}
			rootMade = true
		}
		emit(map[string]any{"ok": map[string]any{"session": strconv.FormatInt(s.conn.SessionID(), 10)}})
		return nil
	}
	s := sessions[sname]
	c := s.conn
	path := full(str(st, "path", "/"))
	version := int32(num(st, "version", -1))
	watch, _ := st["watch"].(bool)
	data := []byte(str(st, "data", ""))
	var ok map[string]any
	var err error
	switch op {
	case "close":
		c.Close()
		s.flush(-1)
		emit(map[string]any{"ok": map[string]any{}})
		return nil
	case "wait":
		n := num(st, "events", 1)
		s.waitFor(func() bool { return len(s.events) >= n })
		emit(map[string]any{"got": s.flush(n)})
		return nil
	case "create":
		var p string
		mode := str(st, "mode", "persistent")
		flag, known := modes[mode]
		switch {
		case !known:
			err = fmt.Errorf("mode %s", mode)
		case mode == "container":
			p, err = c.CreateContainer(path, data, flag, acl(st["acl"]))
		case flag == zk.FlagTTL || flag == zk.FlagPersistentSequentialWithTTL:
			p, err = c.CreateTTL(path, data, flag, acl(st["acl"]), time.Duration(num(st, "ttl", 0))*time.Millisecond)
		default:
			p, err = c.Create(path, data, flag, acl(st["acl"]))
		}
		ok = map[string]any{"path": rel(p)}
	case "exists":
		var st2 *zk.Stat
		var found bool
		if watch {
			found, st2, _, err = c.ExistsW(path)
		} else {
			found, st2, err = c.Exists(path)
		}
		if !found {
			st2 = nil
		}
		ok = map[string]any{"stat": stat(st2)}
	case "get":
		var d []byte
		var st2 *zk.Stat
		if watch {
			d, st2, _, err = c.GetW(path)
		} else {
			d, st2, err = c.Get(path)
		}
		ok = map[string]any{"data": string(d), "stat": stat(st2)}
	case "set":
		var st2 *zk.Stat
		st2, err = c.Set(path, data, version)
		ok = map[string]any{"stat": stat(st2)}
	case "delete":
		err = c.Delete(path, version)
		ok = map[string]any{}
	case "children":
		var ch []string
		var st2 *zk.Stat
		if watch {
			ch, st2, _, err = c.ChildrenW(path)
		} else {
			ch, st2, err = c.Children(path)
		}
		ok = map[string]any{"children": ch, "stat": stat(st2)}
	case "getAcl":
		var a []zk.ACL
		var st2 *zk.Stat
		a, st2, err = c.GetACL(path)
		list := []any{}
		for _, x := range a {
			list = append(list, map[string]any{"perms": x.Perms, "scheme": x.Scheme, "id": x.ID})
		}
		ok = map[string]any{"acl": list, "stat": stat(st2)}
	case "setAcl":
		var st2 *zk.Stat
		st2, err = c.SetACL(path, acl(st["acl"]), version)
		ok = map[string]any{"stat": stat(st2)}
	case "addAuth":
		err = c.AddAuth(str(st, "scheme", ""), []byte(str(st, "auth", "")))
		ok = map[string]any{}
	case "sync":
		var p string
		p, err = c.Sync(path)
		ok = map[string]any{"path": rel(p)}
	case "multi":
		var ops []any
		for _, x := range st["ops"].([]any) {
			o := step(x.(map[string]any))
			p, v := full(str(o, "path", "/")), int32(num(o, "version", -1))
			switch str(o, "op", "") {
			case "create":
				ops = append(ops, &zk.CreateRequest{Path: p, Data: []byte(str(o, "data", "")), Acl: acl(o["acl"]), Flags: modes[str(o, "mode", "persistent")]})
			case "delete":
				ops = append(ops, &zk.DeleteRequest{Path: p, Version: v})
			case "set":
				ops = append(ops, &zk.SetDataRequest{Path: p, Data: []byte(str(o, "data", "")), Version: v})
			default:
				ops = append(ops, &zk.CheckVersionRequest{Path: p, Version: v})
			}
		}
		var res []zk.MultiResponse
		res, err = c.Multi(ops...)
		results := []any{}
		for k, r := range res {
			kind := str(step(st["ops"].([]any)[k].(map[string]any)), "op", "")
			switch {
			case r.Error != nil || err != nil: // a failed multi's results are all errors, Ok included
				name := "Ok"
				if r.Error != nil {
					name, _ = codeName(r.Error)
				}
				results = append(results, map[string]any{"err": name})
			case kind == "create":
				results = append(results, map[string]any{"path": rel(r.String)})
			case kind == "set":
				results = append(results, map[string]any{"stat": stat(r.Stat)})
			default:
				results = append(results, map[string]any{})
			}
		}
		if err != nil {
			s.flush(-1)
			name, known := codeName(err)
			if !known {
				return fmt.Errorf("%w: %v", errCrash, err)
			}
			emit(map[string]any{"err": name, "results": results})
			return nil
		}
		ok = map[string]any{"results": results}
	default:
		return fmt.Errorf("op %s", op)
	}
	s.flush(-1)
	if err != nil {
		name, known := codeName(err)
		if !known { // the client's own checks: printed, and the script goes on
			emit(map[string]any{"refused": err.Error()})
			return nil
		}
		emit(map[string]any{"err": name})
		return nil
	}
	emit(map[string]any{"ok": ok})
	return nil
}

func main() {
	connect = os.Args[1]
	root, file := os.Args[2], os.Args[3]
	var scenarios map[string]json.RawMessage
	must(readJSON(file, &scenarios))
	must(readJSON(filepath.Join(filepath.Dir(file), "codes.json"), &codes))
	for _, name := range os.Args[4:] {
		base = root + "/" + name
		var sc struct {
			Requires []string `json:"requires"`
			Steps    []step   `json:"steps"`
		}
		must(json.Unmarshal(scenarios[name], &sc))
		var missing []string
		for _, f := range sc.Requires {
			if !features[f] {
				missing = append(missing, f)
			}
		}
		if len(missing) > 0 {
			_ = out.Encode(map[string]any{"scenario": name, "skipped": join(missing)})
			continue
		}
		_ = out.Encode(map[string]any{"scenario": name})
		sessions := map[string]*session{}
		for i, st := range sc.Steps {
			if err := runStep(sessions, st, i); err != nil {
				_ = out.Encode(map[string]any{"i": i, "crash": err.Error()})
				break
			}
		}
		for _, s := range sessions {
			s.conn.Close()
		}
	}
}

func join(list []string) string {
	res := ""
	for i, x := range list {
		if i > 0 {
			res += ","
		}
		res += x
	}
	return res
}

func readJSON(file string, v any) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
