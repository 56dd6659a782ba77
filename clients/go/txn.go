package paddock

import (
	"context"
	"fmt"

	"github.com/paddock-dev/paddock/clients/go/internal/pb"
)

// CompareTarget is the part of a node a Condition reads: its existence or a Stat field.
type CompareTarget int32

// The targets, as in data.proto's CompareTarget.
const (
	TargetExists         CompareTarget = 1 // value 1: the node exists, 0: it does not; = and != only
	TargetVersion        CompareTarget = 2
	TargetCversion       CompareTarget = 3
	TargetAversion       CompareTarget = 4
	TargetCzxid          CompareTarget = 5
	TargetMzxid          CompareTarget = 6
	TargetPzxid          CompareTarget = 7
	TargetNumChildren    CompareTarget = 8
	TargetEphemeralOwner CompareTarget = 9
	TargetDataLength     CompareTarget = 10
)

// CompareOp compares a target with a Condition's value.
type CompareOp int32

// The operators, as in data.proto's CompareOp.
const (
	OpEqual    CompareOp = 1
	OpNotEqual CompareOp = 2
	OpLess     CompareOp = 3
	OpGreater  CompareOp = 4
)

// Condition is one condition of a Txn: `<Target of Path> <Op> Value`. On a missing node only
// TargetExists can hold; every other target is false there, whatever the operator.
type Condition struct {
	Path   string
	Target CompareTarget
	Op     CompareOp
	Value  int64
}

// Compare builds a condition on a Stat field, e.g. Compare("/cfg", TargetMzxid, OpEqual, st.Mzxid).
func Compare(path string, target CompareTarget, op CompareOp, value int64) Condition {
	return Condition{Path: path, Target: target, Op: op, Value: value}
}

// NodeExists holds when the node exists.
func NodeExists(path string) Condition { return Compare(path, TargetExists, OpEqual, 1) }

// NodeMissing holds when the node does not exist.
func NodeMissing(path string) Condition { return Compare(path, TargetExists, OpEqual, 0) }

func (k Condition) toPB() (*pb.Compare, error) {
	if k.Target < TargetExists || k.Target > TargetDataLength {
		return nil, fmt.Errorf("paddock: txn condition on %s: unknown compare target %d", k.Path, k.Target)
	}
	if k.Op < OpEqual || k.Op > OpGreater {
		return nil, fmt.Errorf("paddock: txn condition on %s: unknown compare operator %d", k.Path, k.Op)
	}
	return &pb.Compare{Path: k.Path, Target: pb.CompareTarget(k.Target), Op: pb.CompareOp(k.Op), Value: k.Value}, nil
}

// Txn is a compare-transaction being built (a Paddock extension, etcd's Txn on a tree):
//
//	r, err := client.Txn(ctx).
//		If(paddock.Compare("/cfg", paddock.TargetMzxid, paddock.OpEqual, st.Mzxid)).
//		Then(&paddock.SetDataOp{Path: "/cfg", Data: next, Version: paddock.AnyVersion}).
//		Else(&paddock.CheckOp{Path: "/cfg", Version: paddock.AnyVersion}).
//		Commit()
//
// The server evaluates every condition atomically with the writes; when all hold the Then ops run,
// otherwise the Else ops, each branch as one atomic Multi. Conditions and ops together count
// against the server's multiOpsMax.
type Txn struct {
	c     *Client
	ctx   context.Context
	conds []Condition
	then  []Op
	els   []Op
}

// TxnResult says which branch ran and what each of its ops did.
type TxnResult struct {
	Succeeded bool       // every condition held: the Then ops ran (else the Else ops)
	Results   []OpResult // one per op of the branch that ran
}

// Txn starts a compare-transaction; nothing is sent until Commit.
func (c *Client) Txn(ctx context.Context) *Txn { return &Txn{c: c, ctx: ctx} }

// If adds conditions (all must hold for the Then branch).
func (t *Txn) If(conds ...Condition) *Txn { t.conds = append(t.conds, conds...); return t }

// Then adds ops to the branch run when every condition holds.
func (t *Txn) Then(ops ...Op) *Txn { t.then = append(t.then, ops...); return t }

// Else adds ops to the branch run when a condition does not hold.
func (t *Txn) Else(ops ...Op) *Txn { t.els = append(t.els, ops...); return t }

func opsToPB(branch string, ops []Op) ([]*pb.Op, error) {
	out := make([]*pb.Op, len(ops))
	for i, o := range ops {
		if o == nil {
			return nil, fmt.Errorf("paddock: txn %s op %d is nil", branch, i)
		}
		out[i] = o.toPB()
	}
	return out, nil
}

// Commit sends the transaction. When an op of the chosen branch fails, nothing is applied and the
// error is that op's (as Multi's), returned with the result saying which branch it was and each
// op's outcome. A refused condition (NoAuth on the node, BadArguments) returns a nil result.
func (t *Txn) Commit() (*TxnResult, error) {
	req := &pb.TxnRequest{Compare: make([]*pb.Compare, len(t.conds))}
	for i, k := range t.conds {
		w, err := k.toPB()
		if err != nil {
			return nil, err
		}
		req.Compare[i] = w
	}
	var err error
	if req.ThenOps, err = opsToPB("then", t.then); err != nil {
		return nil, err
	}
	if req.ElseOps, err = opsToPB("else", t.els); err != nil {
		return nil, err
	}
	r, err := t.c.do(t.ctx, &pb.Request{Op: &pb.Request_Txn{Txn: req}}, nil)
	if r.GetTxn() == nil {
		// No branch ran (a refused condition, a lost connection): only the error tells.
		if err == nil {
			err = fmt.Errorf("paddock: txn reply without a txn result")
		}
		return nil, err
	}
	return &TxnResult{Succeeded: r.GetTxn().GetSucceeded(), Results: opResults(r.GetTxn().GetResults())}, err
}
