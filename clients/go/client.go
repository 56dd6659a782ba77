package paddock

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paddock-dev/paddock/clients/go/internal/pb"
	"google.golang.org/grpc/credentials"
)

// call is one request from submission to reply. Exactly one of the queue, the writer's carry or
// the pending FIFO owns it until finish closes done.
type call struct {
	ctx     context.Context
	req     *pb.Request
	done    chan struct{}
	reply   *pb.Reply
	err     error
	onReply func(*pb.Reply, error) // runs on the reader goroutine, before done, in reply order
}

func (cl *call) finish(reply *pb.Reply, err error) {
	cl.reply, cl.err = reply, err
	close(cl.done)
}

// Client is a Paddock session. It is safe for concurrent use: requests issued together are
// batched into one envelope by a single writer goroutine, replies come back in issue order.
type Client struct {
	servers []string
	opts    options
	creds   credentials.TransportCredentials // plaintext, or TLS (WithTLS, WithTLSFiles)
	queue   chan *call
	watches *watchRegistry
	states  chan State
	stop    chan struct{} // closed once the session is over (closed, expired, auth failed)
	stopCtx context.Context
	stopFn  context.CancelFunc // cancels stopCtx with stop, so a reconnect attempt ends at once
	runDone chan struct{}

	mu             sync.Mutex
	state          State
	finalErr       error // set with stop: what every later call fails with
	statesClosed   bool
	subscribers    map[chan State]struct{} // SubscribeStates channels, guarded by mu
	sessionID      int64
	password       []byte
	timeout        time.Duration
	lastZxid       int64
	auth           []*pb.AddAuthRequest
	maxReqBytes    int
	maxOutstanding int
	pending        []*call
	carry          *call // taken from the queue but not sent when a connection ended
	nextXid        int32
	serverIdx      int
	cur            *conn
	stopOnce       sync.Once
	pendingFinal   State // published by cleanup once everything pending has failed
	hooks          testHooks
}

// testHooks let the tests freeze the writer and count what it sent; they cost an atomic load
// per envelope when unused.
type testHooks struct {
	gate      atomic.Pointer[chan struct{}] // while set, the writer waits before taking requests
	noPing    atomic.Bool                   // while set, no pings and no idle check (to force expiry)
	envelopes atomic.Int64
	requests  atomic.Int64
	pings     atomic.Int64
	parked    chan struct{} // signalled when the writer waits at the gate
}

// Connect opens a session with the first server of the list that answers, trying them in turn
// with backoff until ctx is done. The returned client keeps the session alive (heartbeats) and
// reconnects on its own to the next server when the connection breaks.
func Connect(ctx context.Context, servers []string, opts ...Option) (*Client, error) {
	if len(servers) == 0 {
		return nil, ErrNoServer
	}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	creds, err := o.transportCredentials()
	if err != nil {
		return nil, err
	}
	c := &Client{
		servers: append([]string(nil), servers...),
		opts:    o,
		creds:   creds,
		queue:   make(chan *call, o.maxQueuedRequests),
		watches: newWatchRegistry(),
		states:  make(chan State, o.stateBuffer),
		stop:    make(chan struct{}),
		runDone: make(chan struct{}),
		state:   StateDisconnected,
	}
	c.hooks.parked = make(chan struct{}, 1)
	c.stopCtx, c.stopFn = context.WithCancel(context.Background())
	for _, a := range o.auth {
		c.auth = append(c.auth, &pb.AddAuthRequest{Scheme: a.scheme, Auth: a.auth})
	}
	var lastErr error
	for attempt := 0; ; attempt++ {
		cn, err := c.dial(ctx)
		if err == nil {
			c.setState(StateConnected)
			go c.run(cn)
			return c, nil
		}
		var pe *Error
		if errors.As(err, &pe) && (pe.Code == CodeAuthFailed || pe.Code == CodeSessionExpired) {
			c.stopFn()
			return nil, err
		}
		lastErr = err
		select {
		case <-ctx.Done():
			c.stopFn()
			return nil, fmt.Errorf("paddock: connect to %v: %w (last error: %v)", servers, ctx.Err(), lastErr)
		case <-time.After(c.backoff(attempt)):
		}
	}
}

// SessionID is the session's id (0 before the first connection).
func (c *Client) SessionID() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sessionID
}

// SessionTimeout is the timeout the server negotiated.
func (c *Client) SessionTimeout() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.timeout
}

// State is the current session state.
func (c *Client) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// States delivers every state change (Connected, Disconnected, Expired, Closed, AuthFailed). It is
// closed after a final state (Expired, Closed, AuthFailed). When the buffer is full the oldest
// state is dropped, so a slow reader still sees the latest one.
func (c *Client) States() <-chan State { return c.states }

// setState records and publishes a state; final states are published once, then the channel closes.
func (c *Client) setState(s State) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setStateLocked(s)
}

func (c *Client) setStateLocked(s State) {
	if c.statesClosed || c.state == s && s != StateConnected {
		return
	}
	c.state = s
	c.publishLocked(s)
	for {
		select {
		case c.states <- s:
			if s == StateExpired || s == StateClosed || s == StateAuthFailed {
				close(c.states)
				c.statesClosed = true
			}
			return
		default:
			select {
			case <-c.states:
			default:
			}
		}
	}
}

func (c *Client) backoff(attempt int) time.Duration {
	d := c.opts.backoffMin << min(attempt, 20)
	if d > c.opts.backoffMax || d <= 0 {
		d = c.opts.backoffMax
	}
	// Full jitter in [d/2, d): clients that lost the same server do not all come back at once.
	return d/2 + rand.N(d/2+1)
}

// terminate ends the session for good; the run goroutine then fails everything with err.
func (c *Client) terminate(state State, err error) {
	c.mu.Lock()
	if c.finalErr == nil {
		c.finalErr = err
		c.pendingFinal = state
	}
	cn := c.cur
	c.mu.Unlock()
	c.stopOnce.Do(func() {
		close(c.stop)
		c.stopFn()
	})
	if cn != nil {
		cn.cancel()
	}
}

// run owns the connection: serve it, and when it breaks reconnect with backoff to the next
// server until the session is over.
func (c *Client) run(cn *conn) {
	defer c.cleanup()
	for {
		c.serve(cn)
		cn.cancel()
		_ = cn.cc.Close()
		c.mu.Lock()
		c.cur = nil
		pend := c.pending
		c.pending = nil
		c.mu.Unlock()
		for _, cl := range pend {
			cl.finish(nil, ErrConnectionLoss)
		}
		if c.isStopped() {
			return
		}
		c.setState(StateDisconnected)
		c.opts.logger.Info("paddock: disconnected, reconnecting", "session", c.SessionID())
		for attempt := 0; ; attempt++ {
			select {
			case <-c.stop:
				return
			case <-time.After(c.backoff(attempt)):
			}
			next, err := c.dial(c.stopCtx)
			if err == nil {
				cn = next
				break
			}
			var pe *Error
			if errors.As(err, &pe) && pe.Code == CodeSessionExpired {
				c.terminate(StateExpired, ErrSessionExpired)
				return
			}
			if errors.As(err, &pe) && pe.Code == CodeAuthFailed {
				c.terminate(StateAuthFailed, err)
				return
			}
			c.opts.logger.Info("paddock: reconnect failed", "err", err)
		}
		c.setState(StateConnected)
	}
}

func (c *Client) isStopped() bool {
	select {
	case <-c.stop:
		return true
	default:
		return false
	}
}

// cleanup fails every queued and pending call with the final error and ends all watches.
func (c *Client) cleanup() {
	c.mu.Lock()
	err := c.finalErr
	if err == nil {
		err, c.finalErr = ErrClosed, ErrClosed
		c.pendingFinal = StateClosed
	}
	calls := append(c.pending, c.carry)
	c.pending, c.carry = nil, nil
drain:
	for {
		select {
		case cl := <-c.queue:
			calls = append(calls, cl)
		default:
			break drain
		}
	}
	c.mu.Unlock()
	for _, cl := range calls {
		if cl != nil {
			cl.finish(nil, err)
		}
	}
	c.watches.closeAll(err)
	c.mu.Lock()
	c.setStateLocked(c.pendingFinal)
	c.mu.Unlock()
	c.stopFn()
	close(c.runDone)
}

// do submits a request and waits for its reply. The reply is returned with a multi's error too.
func (c *Client) do(ctx context.Context, req *pb.Request, onReply func(*pb.Reply, error)) (*pb.Reply, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cl := &call{ctx: ctx, req: req, done: make(chan struct{}), onReply: onReply}
	if err := c.enqueue(cl); err != nil {
		return nil, err
	}
	select {
	case <-cl.done:
		return cl.reply, cl.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *Client) enqueue(cl *call) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.finalErr != nil {
		return c.finalErr
	}
	select {
	case c.queue <- cl:
		return nil
	default:
		return ErrQueueFull
	}
}

// Close closes the session: the server removes its ephemerals and watches. ctx bounds the wait
// for the server's confirmation; the client's resources are released in any case. Closing a
// client whose session already ended returns nil.
func (c *Client) Close(ctx context.Context) error {
	var err error
	if c.State() == StateConnected {
		// The reply means the session is closed: end it before the server ends the stream, so
		// the run loop never tries to resume a closed session.
		_, err = c.do(ctx, &pb.Request{Op: &pb.Request_Close{Close: &pb.CloseSessionRequest{}}},
			func(_ *pb.Reply, err error) {
				if err == nil {
					c.terminate(StateClosed, ErrClosed)
				}
			})
		if errors.Is(err, ErrClosed) || errors.Is(err, ErrSessionExpired) {
			err = nil
		}
	}
	c.terminate(StateClosed, ErrClosed)
	<-c.runDone
	return err
}

// lastZxidSeen is the highest zxid seen in a reply or event.
func (c *Client) observeZxid(z int64) {
	c.mu.Lock()
	if z > c.lastZxid {
		c.lastZxid = z
	}
	c.mu.Unlock()
}
