// Package testproxy is a TCP proxy between a test's client and a real server, so a test can cut
// the client off while the server keeps running (its session lives on until its timeout), or
// freeze its connections into half-open ones (open, carrying nothing).
package testproxy

import (
	"net"
	"sync"
	"testing"
)

// Proxy forwards every accepted connection to the target.
type Proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	paused bool
	// frozen is closed by Freeze: the connections open before it stop carrying bytes.
	frozen chan struct{}
	// cut is closed by Cut: a frozen pipe then lets its connection go.
	cut chan struct{}
}

// Start listens on a free loopback port; the test's cleanup closes it and every connection.
func Start(t *testing.T, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, frozen: make(chan struct{}), cut: make(chan struct{})}
	go p.accept()
	t.Cleanup(func() {
		_ = ln.Close()
		p.Pause()
	})
	return p
}

// Addr is where clients connect.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

func (p *Proxy) accept() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		paused := p.paused
		p.mu.Unlock()
		if paused {
			_ = in.Close()
			continue
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = in.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, in, out)
		frozen, cut := p.frozen, p.cut
		p.mu.Unlock()
		go pipe(in, out, frozen, cut)
		go pipe(out, in, frozen, cut)
	}
}

// pipe copies src to dst until either ends; once frozen is closed it forwards nothing more,
// not even the end of the connection, and holds both sockets open until they are cut.
func pipe(dst, src net.Conn, frozen, cut <-chan struct{}) {
	defer func() {
		_ = dst.Close()
		_ = src.Close()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		select {
		case <-frozen:
			// Neither reads nor closes until Cut (or the test's cleanup): a connection as a
			// dead peer or a dropped route leaves it, open and silent.
			<-cut
			return
		default:
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// Cut closes every open connection; new ones are accepted.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
	close(p.cut)
	p.cut = make(chan struct{})
}

// Pause cuts the connections and refuses new ones until Resume.
func (p *Proxy) Pause() {
	p.mu.Lock()
	p.paused = true
	p.mu.Unlock()
	p.Cut()
}

// Freeze makes every open connection half-open: both sockets stay open and nothing more is
// forwarded either way (no data, no FIN). Connections accepted later are forwarded as usual.
func (p *Proxy) Freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.frozen)
	p.frozen = make(chan struct{})
}

// Resume accepts connections again.
func (p *Proxy) Resume() {
	p.mu.Lock()
	p.paused = false
	p.mu.Unlock()
}
