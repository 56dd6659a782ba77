package paddock

import (
	"context"
	"fmt"
	"time"

	"github.com/paddock-dev/paddock/clients/go/internal/pb"
)

// Op is one operation of an atomic Multi: *CreateOp, *DeleteOp, *SetDataOp or *CheckOp.
type Op interface{ toPB() *pb.Op }

// CreateOp creates a node (TTL only for the TTL modes; empty ACL means OpenACLUnsafe).
type CreateOp struct {
	Path string
	Data []byte
	Mode CreateMode
	ACL  []ACL
	TTL  time.Duration
}

// DeleteOp deletes a node at Version (AnyVersion for any).
type DeleteOp struct {
	Path    string
	Version int32
}

// SetDataOp sets a node's data at Version (AnyVersion for any).
type SetDataOp struct {
	Path    string
	Data    []byte
	Version int32
}

// CheckOp asserts a node's version (AnyVersion: that it exists).
type CheckOp struct {
	Path    string
	Version int32
}

func (o *CreateOp) toPB() *pb.Op {
	return &pb.Op{Op: &pb.Op_Create{Create: createToPB(o.Path, o.Data, o.Mode, o.ACL, o.TTL)}}
}

func (o *DeleteOp) toPB() *pb.Op {
	return &pb.Op{Op: &pb.Op_Delete{Delete: &pb.DeleteRequest{Path: o.Path, Version: optVersion(o.Version)}}}
}

func (o *SetDataOp) toPB() *pb.Op {
	return &pb.Op{Op: &pb.Op_SetData{SetData: &pb.SetDataRequest{Path: o.Path, Data: o.Data, Version: optVersion(o.Version)}}}
}

func (o *CheckOp) toPB() *pb.Op {
	return &pb.Op{Op: &pb.Op_Check{Check: &pb.CheckRequest{Path: o.Path, Version: optVersion(o.Version)}}}
}

// OpResult is one op's outcome: Path (created path, for CreateOp), Stat (CreateOp, SetDataOp), or
// Err when the multi failed (nil for ops before the failing one, ErrRuntimeInconsistency after).
type OpResult struct {
	Path string
	Stat *Stat
	Err  error
}

// Multi runs ops atomically: all succeed or none is applied. On failure the error is the first
// failing op's, and the results (when the server sent them) say what each op would have done.
func (c *Client) Multi(ctx context.Context, ops ...Op) ([]OpResult, error) {
	req := &pb.MultiRequest{Ops: make([]*pb.Op, len(ops))}
	for i, o := range ops {
		if o == nil {
			return nil, fmt.Errorf("paddock: multi op %d is nil", i)
		}
		req.Ops[i] = o.toPB()
	}
	r, err := c.do(ctx, &pb.Request{Op: &pb.Request_Multi{Multi: req}}, nil)
	if r == nil {
		return nil, err
	}
	return opResults(r.GetMulti().GetResults()), err
}

// opResults converts a multi's (or a txn branch's) results.
func opResults(results []*pb.OpResult) []OpResult {
	var out []OpResult
	for _, res := range results {
		var or OpResult
		switch v := res.GetResult().(type) {
		case *pb.OpResult_Create:
			or.Path, or.Stat = v.Create.GetPath(), statFromPB(v.Create.GetStat())
		case *pb.OpResult_SetData:
			or.Stat = statFromPB(v.SetData.GetStat())
		case *pb.OpResult_Error:
			or.Err = errorFromPB(v.Error)
		}
		out = append(out, or)
	}
	return out
}
