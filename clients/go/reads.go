package paddock

import (
	"context"
	"fmt"

	"github.com/paddock-dev/paddock/clients/go/internal/pb"
)

// GetAllChildrenNumber returns the number of descendants of path (children, their children, …).
func (c *Client) GetAllChildrenNumber(ctx context.Context, path string) (int32, error) {
	r, err := c.do(ctx, &pb.Request{Op: &pb.Request_GetAllChildrenNumber{GetAllChildrenNumber: &pb.GetAllChildrenNumberRequest{Path: path}}}, nil)
	if err != nil {
		return 0, err
	}
	return r.GetGetAllChildrenNumber().GetNumber(), nil
}

// GetEphemerals returns the paths of this session's ephemeral nodes under prefix ("/" for all).
func (c *Client) GetEphemerals(ctx context.Context, prefix string) ([]string, error) {
	r, err := c.do(ctx, &pb.Request{Op: &pb.Request_GetEphemerals{GetEphemerals: &pb.GetEphemeralsRequest{PrefixPath: prefix}}}, nil)
	if err != nil {
		return nil, err
	}
	return r.GetGetEphemerals().GetPaths(), nil
}

// ReadOp is one read of a MultiRead: *GetDataRead or *GetChildrenRead.
type ReadOp interface{ toReadPB() *pb.ReadOp }

// GetDataRead reads a node's data and Stat in a MultiRead.
type GetDataRead struct{ Path string }

// GetChildrenRead lists a node's children in a MultiRead.
type GetChildrenRead struct{ Path string }

func (o *GetDataRead) toReadPB() *pb.ReadOp {
	return &pb.ReadOp{Op: &pb.ReadOp_GetData{GetData: &pb.GetDataRequest{Path: o.Path}}}
}

func (o *GetChildrenRead) toReadPB() *pb.ReadOp {
	return &pb.ReadOp{Op: &pb.ReadOp_GetChildren{GetChildren: &pb.GetChildrenRequest{Path: o.Path}}}
}

// ReadResult is one read's outcome: Data and Stat (GetDataRead), Children (GetChildrenRead), or
// Err for that read alone (a MultiRead is not atomic: each read succeeds or fails by itself).
type ReadResult struct {
	Data     []byte
	Children []string
	Stat     *Stat
	Err      error
}

// MultiRead runs reads in one request (ZooKeeper 3.6's multiRead); the results are in op order.
func (c *Client) MultiRead(ctx context.Context, ops ...ReadOp) ([]ReadResult, error) {
	req := &pb.MultiReadRequest{Ops: make([]*pb.ReadOp, len(ops))}
	for i, o := range ops {
		if o == nil {
			return nil, fmt.Errorf("paddock: multiRead op %d is nil", i)
		}
		req.Ops[i] = o.toReadPB()
	}
	r, err := c.do(ctx, &pb.Request{Op: &pb.Request_MultiRead{MultiRead: req}}, nil)
	if err != nil {
		return nil, err
	}
	out := make([]ReadResult, 0, len(ops))
	for _, res := range r.GetMultiRead().GetResults() {
		var rr ReadResult
		switch v := res.GetResult().(type) {
		case *pb.ReadOpResult_GetData:
			rr.Data, rr.Stat = v.GetData.GetData(), statFromPB(v.GetData.GetStat())
		case *pb.ReadOpResult_GetChildren:
			rr.Children, rr.Stat = v.GetChildren.GetChildren(), statFromPB(v.GetChildren.GetStat())
		case *pb.ReadOpResult_Error:
			rr.Err = errorFromPB(v.Error)
		}
		out = append(out, rr)
	}
	return out, nil
}
