// Package testserver starts a real Paddock server from this repository for the Go tests
// (node --import tsx server/main/cli.ts server, port 0, ready file), and stops or restarts it.
package testserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// readyDeadline bounds a server start: tsx compiles the server on the fly, on a shared 2-core box.
const readyDeadline = 90 * time.Second

// Server is one server process.
type Server struct {
	Addr string // 127.0.0.1:port
	Port int
	// SecureAddr is 127.0.0.1:securePort when the settings open a secureClientPort, else "".
	SecureAddr string
	zooCfg     string // written to the data dir and passed as --config, when not empty
	root       string
	dataDir    string
	settings   []string
	cmd        *exec.Cmd
	exited     chan struct{}
	logPath    string
}

// RepoRoot finds the repository root (the directory holding server/main/cli.ts) above the
// current directory, or takes it from $PADDOCK_REPO_ROOT (to test against another checkout).
func RepoRoot() (string, error) {
	if dir := os.Getenv("PADDOCK_REPO_ROOT"); dir != "" {
		return dir, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "server", "main", "cli.ts")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testserver: no server/main/cli.ts above the working directory")
		}
		dir = parent
	}
}

// Start starts a server on a free port with settings ("key=value", passed as --set).
func Start(settings ...string) (*Server, error) {
	return StartWithConfig("", settings...)
}

// StartWithConfig starts a server as Start does, reading the zoo.cfg text zooCfg first (written
// to the server's data dir; relative paths in it are resolved against that dir).
func StartWithConfig(zooCfg string, settings ...string) (*Server, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "tsx")); err != nil {
		return nil, fmt.Errorf("testserver: %s/node_modules/tsx is missing: run 'npm ci' at the repo root", root)
	}
	dataDir, err := os.MkdirTemp("", "paddock-go-test-")
	if err != nil {
		return nil, err
	}
	s := &Server{root: root, dataDir: dataDir, settings: settings, zooCfg: zooCfg}
	if err := s.start(0); err != nil {
		_ = os.RemoveAll(dataDir)
		return nil, err
	}
	return s, nil
}

func (s *Server) start(port int) error {
	ready := filepath.Join(s.dataDir, "ready.json")
	_ = os.Remove(ready)
	args := []string{"--import", "tsx", "server/main/cli.ts", "server"}
	if s.zooCfg != "" {
		cfg := filepath.Join(s.dataDir, "zoo.cfg")
		if err := os.WriteFile(cfg, []byte(s.zooCfg), 0o600); err != nil {
			return err
		}
		args = append(args, "--config", cfg)
	}
	args = append(args, "--host", "127.0.0.1", "--port", strconv.Itoa(port),
		"--data-dir", s.dataDir, "--ready-file", ready,
		// Any free AdminServer and /metrics ports, restarts on a fixed client port included.
		"--set", "admin.serverPort=0", "--set", "metricsProvider.httpPort=0")
	for _, kv := range s.settings {
		args = append(args, "--set", kv)
	}
	s.logPath = filepath.Join(s.dataDir, fmt.Sprintf("server-%d.log", time.Now().UnixNano()))
	logf, err := os.Create(s.logPath)
	if err != nil {
		return err
	}
	cmd := exec.Command("node", args...)
	cmd.Dir = s.root
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return fmt.Errorf("testserver: start node: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		_ = logf.Close()
		close(exited)
	}()
	s.cmd, s.exited = cmd, exited
	deadline := time.Now().Add(readyDeadline)
	poll := time.NewTicker(25 * time.Millisecond)
	defer poll.Stop()
	for {
		if b, err := os.ReadFile(ready); err == nil {
			var r struct {
				Port       int `json:"port"`
				SecurePort int `json:"securePort"`
			}
			if json.Unmarshal(b, &r) == nil && r.Port > 0 {
				s.Port = r.Port
				s.Addr = fmt.Sprintf("127.0.0.1:%d", r.Port)
				if r.SecurePort > 0 {
					s.SecureAddr = fmt.Sprintf("127.0.0.1:%d", r.SecurePort)
				}
				return nil
			}
		}
		if time.Now().After(deadline) {
			s.Kill()
			return fmt.Errorf("testserver: not ready after %v; log:\n%s", readyDeadline, s.Log())
		}
		select {
		case <-exited:
			return fmt.Errorf("testserver: server exited before ready; log:\n%s", s.Log())
		case <-poll.C:
		}
	}
}

// Log returns the tail of the server's current log (for failure messages).
func (s *Server) Log() string {
	b, _ := os.ReadFile(s.logPath)
	const tail = 4000
	if len(b) > tail {
		b = b[len(b)-tail:]
	}
	return strings.TrimSpace(string(b))
}

// Stop sends SIGTERM and waits for the process to exit (SIGKILL after a deadline).
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		s.Kill()
	}
	s.cmd = nil
}

// Kill sends SIGKILL and waits for the process to exit.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Restart stops the server and starts it again on the same port and data dir.
func (s *Server) Restart() error {
	s.Stop()
	return s.start(s.Port)
}

// Close stops the server and removes its data dir.
func (s *Server) Close() {
	s.Stop()
	_ = os.RemoveAll(s.dataDir)
}
