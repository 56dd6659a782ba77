package paddock_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// Every condition holds: the Then branch runs with per-op results; one fails: the Else branch runs
// and the Then ops leave no trace.
func TestTxnBranches(t *testing.T) {
	ctx := testCtx(t)
	c := connect(t)
	r := root(t, c)
	cfg := create(t, c, r+"/cfg", []byte("v0"), paddock.ModePersistent)
	_, st, err := c.GetData(ctx, cfg)
	noErr(t, err)

	res, err := c.Txn(ctx).
		If(paddock.Compare(cfg, paddock.TargetMzxid, paddock.OpEqual, st.Mzxid),
			paddock.Compare(cfg, paddock.TargetVersion, paddock.OpLess, 1),
			paddock.Compare(cfg, paddock.TargetDataLength, paddock.OpGreater, 1),
			paddock.Compare(cfg, paddock.TargetNumChildren, paddock.OpNotEqual, 3),
			paddock.NodeExists(cfg), paddock.NodeMissing(r+"/then")).
		Then(&paddock.SetDataOp{Path: cfg, Data: []byte("v1"), Version: paddock.AnyVersion},
			&paddock.CreateOp{Path: r + "/then", Data: []byte("t")}).
		Else(&paddock.CreateOp{Path: r + "/else"}).
		Commit()
	noErr(t, err)
	if !res.Succeeded || len(res.Results) != 2 || res.Results[0].Stat.Version != 1 || res.Results[1].Path != r+"/then" {
		t.Fatalf("then-branch result %+v", res)
	}

	res, err = c.Txn(ctx).
		If(paddock.Compare(cfg, paddock.TargetMzxid, paddock.OpEqual, st.Mzxid)). // changed since
		Then(&paddock.SetDataOp{Path: cfg, Data: []byte("lost"), Version: paddock.AnyVersion}).
		Else(&paddock.CreateOp{Path: r + "/else", Data: []byte("e")}).
		Commit()
	noErr(t, err)
	if res.Succeeded || len(res.Results) != 1 || res.Results[0].Path != r+"/else" {
		t.Fatalf("else-branch result %+v", res)
	}
	if data, _, _ := c.GetData(ctx, cfg); string(data) != "v1" {
		t.Fatalf("%s holds %q after the else-branch, want v1", cfg, data)
	}

	// Each remaining Stat field, with a condition that holds, in one transaction.
	_, st, err = c.GetData(ctx, cfg)
	noErr(t, err)
	res, err = c.Txn(ctx).If(
		paddock.Compare(cfg, paddock.TargetCzxid, paddock.OpEqual, st.Czxid),
		paddock.Compare(cfg, paddock.TargetPzxid, paddock.OpEqual, st.Pzxid),
		paddock.Compare(cfg, paddock.TargetCversion, paddock.OpEqual, int64(st.Cversion)),
		paddock.Compare(cfg, paddock.TargetAversion, paddock.OpEqual, 0),
		paddock.Compare(cfg, paddock.TargetEphemeralOwner, paddock.OpEqual, 0),
	).Commit()
	noErr(t, err)
	if !res.Succeeded || len(res.Results) != 0 {
		t.Fatalf("conditions on czxid, pzxid, cversion, aversion, ephemeralOwner: %+v", res)
	}
	// On a missing node every target but existence is false, whatever the operator.
	res, err = c.Txn(ctx).If(paddock.Compare(r+"/nothing", paddock.TargetVersion, paddock.OpNotEqual, 7)).Commit()
	noErr(t, err)
	if res.Succeeded {
		t.Fatal("a condition on a missing node's version held")
	}
}

// A failing op in the chosen branch aborts the whole transaction: nothing is applied, the error is
// that op's, and the result still says which branch it was.
func TestTxnFailingOpAbortsAtomically(t *testing.T) {
	ctx := testCtx(t)
	a, b := connect(t), connect(t)
	r := root(t, a)
	e := create(t, a, r+"/e", nil, paddock.ModeEphemeral)

	res, err := a.Txn(ctx).
		If(paddock.Compare(e, paddock.TargetEphemeralOwner, paddock.OpEqual, a.SessionID()),
			paddock.Compare(r, paddock.TargetCversion, paddock.OpEqual, 1)).
		Then(&paddock.SetDataOp{Path: r, Data: []byte("changed"), Version: paddock.AnyVersion},
			&paddock.CreateOp{Path: e}).
		Commit()
	if !errors.Is(err, paddock.ErrNodeExists) {
		t.Fatalf("txn error %v, want NodeExists", err)
	}
	if res == nil || !res.Succeeded || len(res.Results) != 2 || !errors.Is(res.Results[1].Err, paddock.ErrNodeExists) {
		t.Fatalf("failed txn result %+v", res)
	}
	if _, st, _ := a.GetData(ctx, r); st.Version != 0 {
		t.Fatalf("%s at version %d after an aborted txn, want 0", r, st.Version)
	}
	// b does not own the ephemeral: the (empty) else-branch runs.
	res, err = b.Txn(ctx).If(paddock.Compare(e, paddock.TargetEphemeralOwner, paddock.OpEqual, b.SessionID())).Commit()
	noErr(t, err)
	if res.Succeeded || len(res.Results) != 0 {
		t.Fatalf("b's txn %+v, want the empty else-branch", res)
	}
	// Bad conditions are refused with no branch run, naming the problem.
	res, err = a.Txn(ctx).If(paddock.Compare(e, paddock.TargetExists, paddock.OpLess, 1)).Commit()
	if res != nil || !errors.Is(err, paddock.ErrBadArguments) {
		t.Fatalf("existence with <: %+v %v, want BadArguments and no result", res, err)
	}
	if _, err := a.Txn(ctx).If(paddock.Compare(e, 42, paddock.OpEqual, 0)).Commit(); err == nil {
		t.Fatal("target 42 accepted")
	}
	if _, err := a.Txn(ctx).Then(nil).Commit(); err == nil {
		t.Fatal("a nil op accepted")
	}
}

// Two clients race a compare-and-set on mzxid: exactly one Then branch wins each round.
func TestTxnCompareAndSetRace(t *testing.T) {
	ctx := testCtx(t)
	a, b := connect(t), connect(t)
	r := root(t, a)
	for round := range 20 {
		p := create(t, a, fmt.Sprintf("%s/race%d", r, round), []byte("start"), paddock.ModePersistent)
		_, st, err := a.GetData(ctx, p)
		noErr(t, err)
		won := make([]bool, 2)
		var wg sync.WaitGroup
		for i, c := range []*paddock.Client{a, b} {
			wg.Go(func() {
				res, err := c.Txn(ctx).
					If(paddock.Compare(p, paddock.TargetMzxid, paddock.OpEqual, st.Mzxid)).
					Then(&paddock.SetDataOp{Path: p, Data: []byte{'a' + byte(i)}, Version: paddock.AnyVersion}).
					Else(&paddock.CheckOp{Path: p, Version: paddock.AnyVersion}).
					Commit()
				if err != nil {
					t.Errorf("round %d client %d: %v", round, i, err)
					return
				}
				won[i] = res.Succeeded
			})
		}
		wg.Wait()
		if won[0] == won[1] {
			t.Fatalf("round %d: winners %v, want exactly one", round, won)
		}
		winner := "a"
		if won[1] {
			winner = "b"
		}
		_, err = a.Sync(ctx, p)
		noErr(t, err)
		data, st2, err := a.GetData(ctx, p)
		noErr(t, err)
		if string(data) != winner || st2.Version != 1 {
			t.Fatalf("round %d: %q at version %d, want %q at 1", round, data, st2.Version, winner)
		}
	}
}
