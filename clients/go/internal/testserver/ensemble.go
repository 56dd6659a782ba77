package testserver

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Member is one member of an Ensemble.
type Member struct {
	ID      int    `json:"id"`
	Address string `json:"address"`
	// Line is the member's "server.N=" line as the leader reaches it, with its client port
	// (what a reconfig that adds it back sends); empty for the leader.
	Line string `json:"line"`
}

// Ensemble is a real ensemble of server processes started by the repository's
// test/support/ensemble-for-clients.ts (port 0 everywhere, peers through its proxies).
type Ensemble struct {
	Leader  int      `json:"leader"`
	Members []Member `json:"members"`
	dir     string
	stdin   io.WriteCloser
	cmd     *exec.Cmd
	exited  chan struct{}
}

// StartEnsemble starts voters members with settings ("key=value" zoo.cfg keys) and waits for a
// leader. The launcher stops every member when its stdin closes, so a test process that dies
// leaves no server behind.
func StartEnsemble(voters int, settings ...string) (*Ensemble, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "paddock-go-ensemble-")
	if err != nil {
		return nil, err
	}
	ready := filepath.Join(dir, "ready.json")
	args := []string{"--import", "tsx", "test/support/ensemble-for-clients.ts", "--ready-file", ready,
		"--voters", fmt.Sprint(voters)}
	for _, kv := range settings {
		args = append(args, "--set", kv)
	}
	logf, err := os.Create(filepath.Join(dir, "ensemble.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("node", args...)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = logf, logf
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return nil, fmt.Errorf("testserver: start node: %w", err)
	}
	e := &Ensemble{dir: dir, stdin: stdin, cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		_ = logf.Close()
		close(e.exited)
	}()
	deadline := time.After(readyDeadline)
	poll := time.NewTicker(25 * time.Millisecond)
	defer poll.Stop()
	for {
		if b, err := os.ReadFile(ready); err == nil && json.Unmarshal(b, e) == nil && e.Leader > 0 {
			return e, nil
		}
		select {
		case <-poll.C:
		case <-e.exited:
			log, _ := os.ReadFile(filepath.Join(dir, "ensemble.log"))
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("testserver: ensemble exited before it was ready:\n%s", log)
		case <-deadline:
			e.Close()
			return nil, fmt.Errorf("testserver: ensemble not ready within %v", readyDeadline)
		}
	}
}

// Member returns the member with the given id.
func (e *Ensemble) Member(id int) Member {
	for _, m := range e.Members {
		if m.ID == id {
			return m
		}
	}
	panic(fmt.Sprintf("testserver: no member %d", id))
}

// Close stops every member (closing the launcher's stdin; SIGKILL after a deadline) and removes
// the launcher's directory.
func (e *Ensemble) Close() {
	_ = e.stdin.Close()
	select {
	case <-e.exited:
	case <-time.After(30 * time.Second):
		_ = e.cmd.Process.Kill()
		<-e.exited
	}
	_ = os.RemoveAll(e.dir)
}
