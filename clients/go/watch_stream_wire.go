package paddock

import (
	"fmt"
	"time"

	"github.com/paddock-dev/paddock/clients/go/internal/pb"
)

// watchRequest is the request a WatchStream opens with (without its start zxid). It always asks
// for fragments: fragmentJoin puts a transaction back together, so none is too large for the
// server's reply limit.
func watchRequest(path string, opts WatchStreamOptions) *pb.WatchStreamRequest {
	req := &pb.WatchStreamRequest{Path: path, Recursive: opts.Recursive, WithData: opts.WithData,
		ChildrenEvents: opts.ChildrenEvents, WithPrevData: opts.WithPrevData, Fragment: true,
		ProgressIntervalMs: int32(min(opts.ProgressInterval/time.Millisecond, watchProgressMaxMs))}
	for _, t := range opts.EventTypes {
		req.EventTypes = append(req.EventTypes, pb.EventType(t))
	}
	return req
}

// fragmentJoin joins the WatchChanges messages of one transaction (each but the last with
// fragment set) into one batch, for one gRPC stream.
type fragmentJoin struct {
	path    string
	pending *WatchBatch // the transaction's changes so far; nil between transactions
}

// add takes one message; it returns the whole transaction after its last message, nil before.
// position/started are where the stream stands: a transaction at or before it is a repeat.
func (j *fragmentJoin) add(m *pb.WatchChanges, position int64, started bool) (*WatchBatch, error) {
	zxid := m.GetZxid()
	switch {
	case j.pending == nil && started && zxid <= position:
		// The server sends each zxid once and a resume starts after position: a repeat is a
		// server bug, not something to hide.
		return nil, j.protocolError("repeated zxid %#x", zxid)
	case j.pending == nil:
		j.pending = &WatchBatch{Zxid: zxid, Changes: make([]WatchChange, 0, len(m.GetChanges()))}
	case zxid != j.pending.Zxid:
		return nil, j.protocolError("fragments of zxid %#x ended by zxid %#x", j.pending.Zxid, zxid)
	}
	for _, ch := range m.GetChanges() {
		j.pending.Changes = append(j.pending.Changes, watchChangeFromPB(ch))
	}
	if m.GetFragment() {
		return nil, nil
	}
	batch := j.pending
	j.pending = nil
	return batch, nil
}

// progress checks that a progress notification does not cut into a transaction's fragments.
func (j *fragmentJoin) progress(zxid int64) error {
	if j.pending != nil {
		return j.protocolError("progress %#x inside the fragments of zxid %#x", zxid, j.pending.Zxid)
	}
	return nil
}

func (j *fragmentJoin) protocolError(format string, args ...any) error {
	return &Error{Code: CodeSystemError, Path: j.path, Message: "watch stream " + fmt.Sprintf(format, args...)}
}

func watchChangeFromPB(ch *pb.WatchChange) WatchChange {
	wc := WatchChange{Type: EventType(ch.GetType()), Path: ch.GetPath()}
	if ch.GetStat() != nil {
		wc.Data, wc.Stat, wc.DataNull = ch.GetData(), statFromPB(ch.GetStat()), ch.GetDataNull()
	}
	if ch.GetPrevStat() != nil {
		wc.PrevData, wc.PrevStat, wc.PrevDataNull = ch.GetPrevData(), statFromPB(ch.GetPrevStat()), ch.GetPrevDataNull()
	}
	return wc
}
