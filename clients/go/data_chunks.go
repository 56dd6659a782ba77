package paddock

import (
	"context"
	"errors"
	"fmt"
	"io"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/paddock-dev/paddock/clients/go/internal/pb"
)

// ChunkOptions tune GetDataChunks.
type ChunkOptions struct {
	// ChunkBytes is the size of each piece; 0 asks for the server's default (64 KiB). The
	// server refuses more than 1 MiB with ErrBadArguments.
	ChunkBytes int32
	// Linearizable reads the value as of now (through the leader), not as of this server.
	Linearizable bool
}

// GetDataChunks reads a node's data in pieces (DataService/GetDataChunks, a Paddock extension)
// and returns it joined with its Stat, as GetData does; nil data for a node holding none. Every
// piece comes from the one version the server read, however the node changes meanwhile, and no
// single message has to carry a value near the size limit.
//
// The call is sessionless, on the session's current connection with its digest credentials: it
// is not ordered after this session's writes still in flight (wait for their replies first).
// Without a connection it fails with ErrConnectionLoss.
func (c *Client) GetDataChunks(ctx context.Context, path string, opts ChunkOptions) ([]byte, *Stat, error) {
	c.mu.Lock()
	cn := c.cur
	for _, a := range c.auth {
		// paddock-auth carries text: digest credentials are "user:password".
		if a.GetScheme() == "digest" {
			ctx = metadata.AppendToOutgoingContext(ctx, "paddock-auth", "digest "+string(a.GetAuth()))
		}
	}
	c.mu.Unlock()
	if cn == nil {
		return nil, nil, &Error{Code: CodeConnectionLoss, Path: path, Message: "GetDataChunks: not connected"}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the stream if we stop early
	req := &pb.GetDataChunksRequest{Path: path, ChunkBytes: opts.ChunkBytes}
	if opts.Linearizable {
		req.Consistency = pb.Consistency_CONSISTENCY_LINEARIZABLE
	}
	stream, err := pb.NewDataServiceClient(cn.cc).GetDataChunks(ctx, req)
	if err != nil {
		return nil, nil, chunkError(path, err)
	}
	var data []byte
	var stat *Stat
	null := false
	for {
		ch, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil, nil, &Error{Code: CodeSystemError, Path: path,
				Message: fmt.Sprintf("GetDataChunks: stream ended after %d bytes without the last chunk", len(data))}
		}
		if err != nil {
			return nil, nil, chunkError(path, err)
		}
		if ch.GetOffset() != int64(len(data)) {
			return nil, nil, &Error{Code: CodeSystemError, Path: path,
				Message: fmt.Sprintf("GetDataChunks: chunk at offset %d, expected %d", ch.GetOffset(), len(data))}
		}
		if ch.GetOffset() == 0 {
			stat, null = statFromPB(ch.GetStat()), ch.GetDataNull()
			if stat != nil {
				data = make([]byte, 0, stat.DataLength)
			}
		}
		data = append(data, ch.GetData()...)
		if ch.GetLast() {
			break
		}
	}
	if null {
		return nil, stat, nil
	}
	if data == nil {
		data = []byte{}
	}
	return data, stat, nil
}

// chunkError turns the call's gRPC status into the *Error its details carry (ZooKeeper's code,
// path and message); a status without them (the connection failed) becomes ConnectionLoss.
func chunkError(path string, err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	for _, d := range st.Details() {
		if e, ok := d.(*pb.Error); ok {
			return errorFromPB(e)
		}
	}
	switch st.Code() {
	case codes.Canceled, codes.DeadlineExceeded:
		return fmt.Errorf("paddock: GetDataChunks %s: %w", path, err)
	}
	return &Error{Code: CodeConnectionLoss, Path: path, Message: "GetDataChunks: " + st.Message()}
}
