package paddock

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/paddock-dev/paddock/clients/go/internal/pb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// WatchStreamOptions choose what a WatchStream delivers. The zero value watches one node from
// the server's current zxid.
type WatchStreamOptions struct {
	// FromZxid, when not nil: deliver changes committed after this zxid. Nil: from now.
	FromZxid *int64
	// Recursive watches the node and every node below it.
	Recursive bool
	// WithData carries data and stat on created and data-changed events.
	WithData bool
	// ChildrenEvents also delivers EventNodeChildrenChanged.
	ChildrenEvents bool
	// ProgressInterval: the server sends progress after this long idle (it clamps to
	// [100ms, 10min]); 0 is the server's default (5s). A stream that hears nothing for three
	// intervals is taken for half-open and reopened.
	ProgressInterval time.Duration
	// WithPrevData carries the node before the transaction (PrevData, PrevStat) on data-changed
	// and deleted events, as etcd's prev_kv.
	WithPrevData bool
	// EventTypes delivers only these types (EventNodeCreated, EventNodeDeleted,
	// EventNodeDataChanged, EventNodeChildrenChanged; the last still needs ChildrenEvents).
	// Empty: every type. A transaction none of whose changes pass delivers nothing.
	EventTypes []EventType
	// Buffer is how many batches wait for Next before the stream stops reading (the server
	// then cuts it as a slow consumer, and it resumes once Next catches up). Default 1024.
	Buffer int
}

// WatchChange is one change to one node. Data and Stat are set with WithData, on created and
// data-changed events; PrevData and PrevStat with WithPrevData, on data-changed and deleted
// events. DataNull and PrevDataNull tell ZooKeeper's null data from empty data.
type WatchChange struct {
	Type         EventType
	Path         string
	Data         []byte
	Stat         *Stat
	DataNull     bool
	PrevData     []byte
	PrevStat     *Stat
	PrevDataNull bool
}

// WatchBatch is the changes one committed transaction made (a multi's together). A transaction
// the server sent in fragments (over its reply limit) comes joined, as one batch.
type WatchBatch struct {
	Zxid    int64
	Changes []WatchChange
}

// WatchCompactedError: the start zxid is older than the server's history. Re-read what the
// watch covers, then watch again from OldestZxid (or later).
type WatchCompactedError struct {
	Path       string
	OldestZxid int64
	Message    string
}

func (e *WatchCompactedError) Error() string {
	return fmt.Sprintf("paddock: watch stream %s: history compacted, oldest zxid %#x: %s", e.Path, e.OldestZxid, e.Message)
}

// ErrWatchStreamClosed is what Next returns once Close was called.
var ErrWatchStreamClosed = errors.New("paddock: watch stream closed")

// WatchStream is a resumable watch (WatchService/Watch): every change after a zxid to a node or
// subtree, in zxid order, each once. When the stream breaks (the server went away, or cut a slow
// consumer, or nothing at all came for three progress intervals: a half-open connection) it
// reopens by itself, on the next server if need be, from the last zxid delivered (a batch's or a
// progress notification's), so nothing is missed or repeated.
type WatchStream struct {
	c       *Client
	path    string
	opts    WatchStreamOptions
	batches chan WatchBatch
	done    chan struct{} // closed when the loop ends; err says why
	cancel  context.CancelFunc

	mu       sync.Mutex
	position int64
	started  bool // position is known
	server   string
	err      error
}

const (
	watchRetryMin = 50 * time.Millisecond
	watchRetryMax = time.Second
	// The server's progress interval when the request leaves it 0, and its clamp.
	watchProgressDefaultMs = 5000
	watchProgressMinMs     = 100
	watchProgressMaxMs     = 600_000
	// A stream silent for this many progress intervals is taken as broken: a connection that
	// stopped carrying bytes without a FIN or RST (a dead peer, a dropped route) never errors.
	watchIdleIntervals = 3
)

// watchIdleTimeout is how long a stream may stay silent before it is reopened, for the progress
// interval requested in ms (0: the server's default).
func watchIdleTimeout(requestedMs int32) time.Duration {
	ms := int64(requestedMs)
	if ms == 0 {
		ms = watchProgressDefaultMs
	}
	ms = min(max(ms, watchProgressMinMs), watchProgressMaxMs)
	return time.Duration(ms*watchIdleIntervals) * time.Millisecond
}

// WatchStream opens a resumable watch on path. It starts at once on the session's current
// server; ctx bounds the whole stream (as does Close). Read it with Next.
func (c *Client) WatchStream(ctx context.Context, path string, opts WatchStreamOptions) (*WatchStream, error) {
	if !strings.HasPrefix(path, "/") || (len(path) > 1 && strings.HasSuffix(path, "/")) {
		return nil, &Error{Code: CodeBadArguments, Path: path, Message: "watch stream path must be absolute, without a trailing /"}
	}
	if opts.Buffer < 0 || opts.ProgressInterval < 0 {
		return nil, &Error{Code: CodeBadArguments, Path: path, Message: "watch stream Buffer and ProgressInterval must not be negative"}
	}
	for _, t := range opts.EventTypes {
		if t < EventNodeCreated || t > EventNodeChildrenChanged {
			return nil, &Error{Code: CodeBadArguments, Path: path, Message: fmt.Sprintf(
				"watch stream EventTypes: %v is not one a watch stream carries (NodeCreated, NodeDeleted, NodeDataChanged, NodeChildrenChanged)", t)}
		}
	}
	if opts.Buffer == 0 {
		opts.Buffer = 1024
	}
	sctx, cancel := context.WithCancel(ctx)
	s := &WatchStream{c: c, path: path, opts: opts, batches: make(chan WatchBatch, opts.Buffer),
		done: make(chan struct{}), cancel: cancel}
	if opts.FromZxid != nil {
		s.position, s.started = *opts.FromZxid, true
	}
	go s.run(sctx)
	return s, nil
}

// Next returns the next batch. It fails with a *WatchCompactedError when the start is older
// than the history, ErrWatchStreamClosed after Close, ctx's error when ctx ends first.
func (s *WatchStream) Next(ctx context.Context) (WatchBatch, error) {
	select {
	case b := <-s.batches:
		return b, nil
	default:
	}
	select {
	case b := <-s.batches:
		return b, nil
	case <-s.done:
		// Batches received before the end are still delivered.
		select {
		case b := <-s.batches:
			return b, nil
		default:
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return WatchBatch{}, s.err
	case <-ctx.Done():
		return WatchBatch{}, ctx.Err()
	}
}

// LastZxid is the zxid up to which every change was received (resume from it); ok is false
// before the first message when the stream started from now.
func (s *WatchStream) LastZxid() (zxid int64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.position, s.started
}

// Server is the address the stream is on now (or was last on).
func (s *WatchStream) Server() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.server
}

// Close ends the stream and waits for its goroutine; later Next calls fail with ErrWatchStreamClosed.
func (s *WatchStream) Close() error {
	s.fail(ErrWatchStreamClosed)
	s.cancel()
	<-s.done
	return nil
}

func (s *WatchStream) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
}

func (s *WatchStream) run(ctx context.Context) {
	defer close(s.done)
	c := s.c
	c.mu.Lock()
	idx := max(c.serverIdx-1, 0) // dial advanced past the session's current server
	c.mu.Unlock()
	failures := 0
	for ctx.Err() == nil {
		addr := c.servers[idx%len(c.servers)]
		next, err := s.once(ctx, addr)
		if err != nil {
			s.fail(err)
			break
		}
		if next == reopenNow {
			failures = 0
			continue
		}
		if next == reopenElsewhere {
			idx++
			continue
		}
		// Broken without a reason: the next server, with backoff once every server failed.
		failures++
		idx++
		if failures >= len(c.servers) {
			d := min(watchRetryMin<<min(failures-len(c.servers), 10), watchRetryMax)
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
	}
	s.fail(ErrWatchStreamClosed)
}

type reopen int

const (
	reopenAfterFailure reopen = iota
	reopenNow                 // the server cut a slow consumer: here again, at once
	reopenElsewhere           // the member stopped serving: the next one, at once
)

// once runs one gRPC stream to addr; a non-nil error ends the WatchStream for good.
func (s *WatchStream) once(ctx context.Context, addr string) (reopen, error) {
	c := s.c
	s.mu.Lock()
	s.server = addr
	req := watchRequest(s.path, s.opts)
	if s.started {
		req.FromZxid = &s.position
	}
	s.mu.Unlock()
	dopts := append([]grpc.DialOption{
		grpc.WithTransportCredentials(c.creds),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(c.opts.maxRecvBytes)),
	}, c.opts.dialOptions...)
	cc, err := grpc.NewClient(addr, dopts...)
	if err != nil {
		return 0, fmt.Errorf("paddock: watch stream: dial %s: %w", addr, err)
	}
	defer cc.Close()
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.mu.Lock()
	for _, a := range c.auth {
		// paddock-auth carries text: digest credentials are "user:password".
		if a.GetScheme() == "digest" {
			sctx = metadata.AppendToOutgoingContext(sctx, "paddock-auth", "digest "+string(a.GetAuth()))
		}
	}
	c.mu.Unlock()
	// The watchdog cancels the call when the server stays silent too long; Recv then fails and
	// the stream reopens like any broken one. It is stopped while a batch waits for Next: the
	// silence is then ours.
	idle := watchIdleTimeout(req.ProgressIntervalMs)
	watchdog := time.AfterFunc(idle, cancel)
	defer watchdog.Stop()
	stream, err := pb.NewWatchServiceClient(cc).Watch(sctx, req)
	if err != nil {
		return s.broken(err)
	}
	// A broken stream drops a partly received transaction with join: position is still before
	// it, so the next stream sends it whole.
	join := fragmentJoin{path: s.path}
	for {
		m, err := stream.Recv()
		if err != nil {
			return s.broken(err)
		}
		watchdog.Stop()
		switch k := m.GetKind().(type) {
		case *pb.WatchStreamResponse_Progress:
			if err := join.progress(k.Progress.GetZxid()); err != nil {
				return 0, err
			}
			s.advance(k.Progress.GetZxid())
			watchdog.Reset(idle)
		case *pb.WatchStreamResponse_Changes:
			s.mu.Lock()
			position, started := s.position, s.started
			s.mu.Unlock()
			batch, err := join.add(k.Changes, position, started)
			if err != nil {
				return 0, err
			}
			if batch == nil { // more fragments of this transaction follow
				watchdog.Reset(idle)
				continue
			}
			zxid := batch.Zxid
			// A full buffer blocks here: gRPC's flow control then stops the server, which cuts
			// us as a slow consumer; we resume from position once Next catches up.
			select {
			case s.batches <- *batch:
				s.advance(zxid)
				watchdog.Reset(idle)
			case <-ctx.Done():
				return 0, nil
			}
		case *pb.WatchStreamResponse_Canceled:
			cn := k.Canceled
			if cn.GetReason() == pb.WatchCancelReason_WATCH_CANCEL_REASON_COMPACTED {
				return 0, &WatchCompactedError{Path: s.path, OldestZxid: cn.GetOldestZxid(), Message: cn.GetMessage()}
			}
			s.advance(cn.GetLastZxid())
			if cn.GetReason() == pb.WatchCancelReason_WATCH_CANCEL_REASON_MEMBER_UNAVAILABLE {
				return reopenElsewhere, nil
			}
			return reopenNow, nil
		}
	}
}

// broken classifies a stream error: refusals that a retry cannot cure end the WatchStream.
func (s *WatchStream) broken(err error) (reopen, error) {
	st, _ := status.FromError(err)
	switch st.Code() {
	case codes.InvalidArgument:
		return 0, &Error{Code: CodeBadArguments, Path: s.path, Message: st.Message()}
	case codes.PermissionDenied:
		return 0, &Error{Code: CodeNoAuth, Path: s.path, Message: st.Message()}
	case codes.Unauthenticated:
		return 0, &Error{Code: CodeAuthFailed, Path: s.path, Message: st.Message()}
	}
	return reopenAfterFailure, nil
}

func (s *WatchStream) advance(zxid int64) {
	s.mu.Lock()
	if !s.started || zxid > s.position {
		s.position, s.started = zxid, true
	}
	s.mu.Unlock()
}
