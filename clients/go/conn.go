package paddock

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/paddock-dev/paddock/clients/go/internal/pb"
)

const (
	defaultMaxRequestBytes    = 1 << 20
	defaultMaxOutstanding     = 1000
	envelopeOverheadBytes     = 16
	maxRequestsPerEnvelopeCap = 4096
)

// conn is one gRPC stream carrying the session.
type conn struct {
	cc       *grpc.ClientConn
	stream   grpc.BidiStreamingClient[pb.SessionRequest, pb.SessionResponse]
	ctx      context.Context
	cancel   context.CancelFunc
	slots    chan struct{} // one token per unanswered request: max_outstanding_requests
	lastRecv atomic.Int64  // unix nanos of the last envelope received
	initial  []*pb.ServerMessage
	addr     string
}

func (cn *conn) touch() { cn.lastRecv.Store(time.Now().UnixNano()) }

func (cn *conn) idle() time.Duration { return time.Since(time.Unix(0, cn.lastRecv.Load())) }

var errServerBehind = errors.New("paddock: server is behind the session's last zxid")

// dial connects to the next server and performs the connect handshake (new or resumed session).
func (c *Client) dial(ctx context.Context) (*conn, error) {
	c.mu.Lock()
	addr := c.servers[c.serverIdx%len(c.servers)]
	c.serverIdx++
	creq := &pb.ConnectRequest{
		SessionId:    c.sessionID,
		Password:     c.password,
		TimeoutMs:    int32(c.opts.sessionTimeout / time.Millisecond),
		LastZxidSeen: c.lastZxid,
		Auth:         c.auth,
	}
	if c.sessionID != 0 {
		creq.Watches = c.watches.setWatches(c.lastZxid)
	}
	c.mu.Unlock()

	dopts := append([]grpc.DialOption{
		grpc.WithTransportCredentials(c.creds),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(c.opts.maxRecvBytes)),
	}, c.opts.dialOptions...)
	cc, err := grpc.NewClient(addr, dopts...)
	if err != nil {
		return nil, fmt.Errorf("paddock: dial %s: %w", addr, err)
	}
	sctx, cancel := context.WithCancel(context.Background())
	fail := func(err error) (*conn, error) {
		cancel()
		_ = cc.Close()
		return nil, err
	}
	// The stream outlives the handshake, so the handshake deadline cancels the stream's context.
	timer := time.AfterFunc(c.opts.connectTimeout, cancel)
	stopWatch := context.AfterFunc(ctx, cancel)
	defer stopWatch()
	stream, err := pb.NewSessionServiceClient(cc).Session(sctx)
	if err != nil {
		timer.Stop()
		return fail(fmt.Errorf("paddock: open session stream to %s: %w", addr, err))
	}
	err = stream.Send(&pb.SessionRequest{Messages: []*pb.ClientMessage{{Kind: &pb.ClientMessage_Connect{Connect: creq}}}})
	var resp *pb.SessionResponse
	if err == nil {
		resp, err = stream.Recv()
	}
	if !timer.Stop() || !stopWatch() {
		return fail(fmt.Errorf("paddock: connect to %s: handshake timed out or cancelled", addr))
	}
	if err != nil {
		return fail(fmt.Errorf("paddock: connect to %s: %w", addr, err))
	}
	if len(resp.GetMessages()) == 0 {
		return fail(fmt.Errorf("paddock: connect to %s: empty first response", addr))
	}
	first := resp.GetMessages()[0]
	if ev := first.GetSessionEvent(); ev != nil {
		perr := errorFromPB(ev.GetError())
		switch ev.GetState() {
		case pb.SessionState_SESSION_STATE_EXPIRED:
			return fail(ErrSessionExpired)
		case pb.SessionState_SESSION_STATE_AUTH_FAILED:
			if perr == nil {
				perr = ErrAuthFailed
			}
			return fail(perr)
		case pb.SessionState_SESSION_STATE_DISCONNECTED:
			return fail(fmt.Errorf("%w: %s: %v", errServerBehind, addr, perr))
		}
		return fail(fmt.Errorf("paddock: connect to %s: session state %v: %v", addr, ev.GetState(), perr))
	}
	cr := first.GetConnected()
	if cr == nil {
		return fail(fmt.Errorf("paddock: connect to %s: first message is not a connect response", addr))
	}
	if cr.GetTimeoutMs() <= 0 {
		return fail(ErrSessionExpired)
	}
	c.mu.Lock()
	if c.sessionID != 0 && cr.GetSessionId() != c.sessionID {
		c.mu.Unlock()
		return fail(ErrSessionExpired)
	}
	c.sessionID = cr.GetSessionId()
	c.password = cr.GetPassword()
	c.timeout = time.Duration(cr.GetTimeoutMs()) * time.Millisecond
	c.maxReqBytes = int(cr.GetMaxRequestBytes())
	if c.maxReqBytes <= 0 {
		c.maxReqBytes = defaultMaxRequestBytes
	}
	c.maxOutstanding = int(cr.GetMaxOutstandingRequests())
	if c.maxOutstanding <= 0 {
		c.maxOutstanding = defaultMaxOutstanding
	}
	cn := &conn{
		cc: cc, stream: stream, ctx: sctx, cancel: cancel, addr: addr,
		slots:   make(chan struct{}, c.maxOutstanding),
		initial: resp.GetMessages()[1:],
	}
	cn.touch()
	c.cur = cn
	stopped := c.finalErr != nil
	c.mu.Unlock()
	if stopped {
		return fail(ErrClosed)
	}
	c.opts.logger.Info("paddock: connected", "server", addr, "session", cr.GetSessionId(), "timeout", c.timeout)
	return cn, nil
}

// serve runs the reader and the writer until either fails or the stream is cancelled.
func (c *Client) serve(cn *conn) {
	errc := make(chan error, 2)
	go func() { errc <- c.readLoop(cn) }()
	go func() { errc <- c.writeLoop(cn) }()
	err := <-errc
	cn.cancel()
	<-errc
	if err != nil && !c.isStopped() {
		c.opts.logger.Info("paddock: connection lost", "server", cn.addr, "err", err)
	}
}

func (c *Client) readLoop(cn *conn) error {
	for _, m := range cn.initial {
		if err := c.handle(cn, m); err != nil {
			return err
		}
	}
	for {
		resp, err := cn.stream.Recv()
		if err != nil {
			return err
		}
		cn.touch()
		for _, m := range resp.GetMessages() {
			if err := c.handle(cn, m); err != nil {
				return err
			}
		}
	}
}

var errSessionOver = errors.New("paddock: session over")

func (c *Client) handle(cn *conn, m *pb.ServerMessage) error {
	switch k := m.GetKind().(type) {
	case *pb.ServerMessage_Reply:
		r := k.Reply
		c.mu.Lock()
		if len(c.pending) == 0 || c.pending[0].req.GetXid() != r.GetXid() {
			c.mu.Unlock()
			return fmt.Errorf("paddock: protocol error: reply xid %d does not match the oldest request", r.GetXid())
		}
		cl := c.pending[0]
		c.pending[0] = nil
		c.pending = c.pending[1:]
		if r.GetZxid() > c.lastZxid {
			c.lastZxid = r.GetZxid()
		}
		c.mu.Unlock()
		<-cn.slots
		err := errorFromPB(r.GetError())
		if cl.onReply != nil {
			cl.onReply(r, err)
		}
		cl.finish(r, err)
		if errors.Is(err, ErrSessionExpired) {
			// Any request (a ping included) answered SessionExpired means the session is gone,
			// even if the server did not say so with a session event.
			c.terminate(StateExpired, ErrSessionExpired)
			return errSessionOver
		}
	case *pb.ServerMessage_Event:
		ev := k.Event
		c.observeZxid(ev.GetZxid())
		t := EventType(ev.GetType())
		if t == EventDataWatchRemoved || t == EventChildWatchRemoved || t == EventPersistentWatchRemoved {
			// Removal is applied when the RemoveWatches reply arrives (see RemoveWatches).
			return nil
		}
		for _, o := range c.watches.dispatch(Event{Type: t, Path: ev.GetPath(), Zxid: ev.GetZxid()}) {
			c.removeDropped(o)
		}
	case *pb.ServerMessage_SessionEvent:
		ev := k.SessionEvent
		switch ev.GetState() {
		case pb.SessionState_SESSION_STATE_EXPIRED:
			c.terminate(StateExpired, ErrSessionExpired)
			return errSessionOver
		case pb.SessionState_SESSION_STATE_CLOSED:
			c.terminate(StateClosed, ErrClosed)
			return errSessionOver
		case pb.SessionState_SESSION_STATE_AUTH_FAILED:
			err := errorFromPB(ev.GetError())
			if err == nil {
				err = ErrAuthFailed
			}
			c.terminate(StateAuthFailed, err)
			return errSessionOver
		case pb.SessionState_SESSION_STATE_DISCONNECTED:
			return fmt.Errorf("paddock: server sent DISCONNECTED: %v", errorFromPB(ev.GetError()))
		}
	case *pb.ServerMessage_Connected:
		return errors.New("paddock: protocol error: unexpected connect response")
	}
	return nil
}

// removeDropped removes on the server a persistent watch dropped for a slow consumer, unless a
// new local watcher took its place; fire and forget, it never blocks the reader.
func (c *Client) removeDropped(o overflowed) {
	t := WatcherPersistent
	if o.kind == kindRecursive {
		t = WatcherPersistentRecursive
	}
	req := &pb.Request{Op: &pb.Request_RemoveWatches{RemoveWatches: &pb.RemoveWatchesRequest{
		Path: o.path, Type: pb.WatcherType(t),
	}}}
	cl := &call{ctx: context.Background(), req: req, done: make(chan struct{})}
	if c.watches.has(o.kind, o.path) {
		return
	}
	_ = c.enqueue(cl)
}

// writeLoop is the single writer: it takes every request queued so far (within the envelope's
// byte limit and the outstanding-request limit) and sends them as one envelope, and sends a
// ping when nothing was sent for a third of the session timeout.
func (c *Client) writeLoop(cn *conn) error {
	c.mu.Lock()
	timeout, maxBytes := c.timeout, c.maxReqBytes
	c.mu.Unlock()
	pingEvery := timeout / 3
	readTimeout := timeout * 2 / 3
	ping := time.NewTimer(pingEvery)
	defer ping.Stop()
	watchdog := time.NewTicker(max(pingEvery/2, time.Millisecond))
	defer watchdog.Stop()
	checkIdle := func() error {
		if cn.idle() > readTimeout && !c.hooks.noPing.Load() {
			return fmt.Errorf("paddock: nothing received from %s for %v", cn.addr, cn.idle().Round(time.Millisecond))
		}
		return nil
	}
	for {
		c.mu.Lock()
		first := c.carry
		c.carry = nil
		c.mu.Unlock()
		for first == nil {
			if g := c.hooks.gate.Load(); g != nil {
				select {
				case c.hooks.parked <- struct{}{}:
				default:
				}
				select {
				case <-*g:
				case <-cn.ctx.Done():
					return nil
				}
			}
			select {
			case first = <-c.queue:
				if first.ctx.Err() != nil {
					first = nil // abandoned by its caller before it was sent
				}
			case <-ping.C:
				if c.hooks.noPing.Load() {
					ping.Reset(pingEvery)
					continue
				}
				c.hooks.pings.Add(1)
				first = &call{ctx: context.Background(), done: make(chan struct{}),
					req: &pb.Request{Op: &pb.Request_Ping{Ping: &pb.PingRequest{}}}}
			case <-watchdog.C:
				if err := checkIdle(); err != nil {
					return err
				}
			case <-cn.ctx.Done():
				return nil
			}
		}
		// Wait for room under max_outstanding_requests.
	acquire:
		for {
			select {
			case cn.slots <- struct{}{}:
				break acquire
			case <-watchdog.C:
				if err := checkIdle(); err != nil {
					c.setCarry(first)
					return err
				}
			case <-cn.ctx.Done():
				c.setCarry(first)
				return nil
			}
		}
		batch := []*call{first}
		size := proto.Size(first.req) + envelopeOverheadBytes
	fill:
		for len(batch) < maxRequestsPerEnvelopeCap {
			select {
			case cl := <-c.queue:
				if cl.ctx.Err() != nil {
					continue
				}
				sz := proto.Size(cl.req) + envelopeOverheadBytes
				if size+sz > maxBytes {
					c.setCarry(cl)
					break fill
				}
				select {
				case cn.slots <- struct{}{}:
				default:
					c.setCarry(cl)
					break fill
				}
				batch = append(batch, cl)
				size += sz
			default:
				break fill
			}
		}
		env := &pb.SessionRequest{Messages: make([]*pb.ClientMessage, len(batch))}
		now := time.Now()
		c.mu.Lock()
		for i, cl := range batch {
			c.nextXid++
			if c.nextXid <= 0 {
				c.nextXid = 1
			}
			cl.req.Xid = c.nextXid
			if dl, ok := cl.ctx.Deadline(); ok {
				cl.req.TimeoutMs = int32(max(dl.Sub(now)/time.Millisecond, 1))
			}
			env.Messages[i] = &pb.ClientMessage{Kind: &pb.ClientMessage_Request{Request: cl.req}}
			c.pending = append(c.pending, cl)
		}
		c.mu.Unlock()
		if err := cn.stream.Send(env); err != nil {
			return err
		}
		c.hooks.envelopes.Add(1)
		c.hooks.requests.Add(int64(len(batch)))
		ping.Reset(pingEvery)
	}
}

func (c *Client) setCarry(cl *call) {
	c.mu.Lock()
	c.carry = cl
	c.mu.Unlock()
}
