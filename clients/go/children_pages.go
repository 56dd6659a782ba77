package paddock

import (
	"context"
	"iter"

	"github.com/paddock-dev/paddock/clients/go/internal/pb"
)

// PageOptions select a page of children (a Paddock extension to getChildren): names sorted by
// name, each page continuing after the last name of the one before, so a listing stays exact
// while children come and go.
type PageOptions struct {
	// PageSize is the most names per page; 0 asks for the server's childrenPerReplyMax.
	PageSize int32
	// PageToken is a previous page's NextPageToken: the page starts after the name it holds.
	PageToken string
	// Prefix keeps only the children whose name starts with it.
	Prefix string
}

// ChildrenPage is one page of a node's children.
type ChildrenPage struct {
	Children []string // sorted by name (UTF-16 code units, as the server compares them)
	Stat     *Stat
	// NextPageToken continues the listing; empty on the last page.
	NextPageToken string
}

// pageRequest leaves range checks to the server, which names the limit it enforces.
func pageRequest(path string, opts PageOptions) *pb.GetChildrenRequest {
	// A page_size, even 0, is what asks the server for the sorted, paged form.
	req := &pb.GetChildrenRequest{Path: path, PageSize: &opts.PageSize}
	if opts.PageToken != "" {
		req.PageToken = &opts.PageToken
	}
	if opts.Prefix != "" {
		req.NamePrefix = &opts.Prefix
	}
	return req
}

// GetChildrenPage returns one page of the node's children, sorted by name.
func (c *Client) GetChildrenPage(ctx context.Context, path string, opts PageOptions) (*ChildrenPage, error) {
	r, err := c.do(ctx, &pb.Request{Op: &pb.Request_GetChildren{GetChildren: pageRequest(path, opts)}}, nil)
	if err != nil {
		return nil, err
	}
	g := r.GetGetChildren()
	return &ChildrenPage{Children: g.GetChildren(), Stat: statFromPB(g.GetStat()), NextPageToken: g.GetNextPageToken()}, nil
}

// CountChildren returns how many direct children the node has (only those whose name starts with
// prefix, when it is not empty), without transferring their names.
func (c *Client) CountChildren(ctx context.Context, path, prefix string) (int, error) {
	countOnly := true
	req := &pb.GetChildrenRequest{Path: path, CountOnly: &countOnly}
	if prefix != "" {
		req.NamePrefix = &prefix
	}
	r, err := c.do(ctx, &pb.Request{Op: &pb.Request_GetChildren{GetChildren: req}}, nil)
	if err != nil {
		return 0, err
	}
	return int(r.GetGetChildren().GetCount()), nil
}

// ChildrenIterator walks every child name of a node page by page, as bufio.Scanner walks lines:
//
//	it := client.ListChildren(ctx, "/jobs", paddock.PageOptions{PageSize: 500})
//	for it.Next() {
//		use(it.Name())
//	}
//	if err := it.Err(); err != nil { ... }
type ChildrenIterator struct {
	c     *Client
	ctx   context.Context
	path  string
	opts  PageOptions
	page  []string
	name  string
	done  bool
	err   error
	fresh bool // no page fetched yet
}

// ListChildren returns an iterator over the node's children in name order, fetching pages of
// opts.PageSize names (starting after opts.PageToken, with opts.Prefix) as it goes.
func (c *Client) ListChildren(ctx context.Context, path string, opts PageOptions) *ChildrenIterator {
	return &ChildrenIterator{c: c, ctx: ctx, path: path, opts: opts, fresh: true}
}

// Next advances to the next name, fetching the next page when the current one is used up; it
// returns false at the end of the listing or on an error (see Err).
func (it *ChildrenIterator) Next() bool {
	for len(it.page) == 0 {
		if it.done || it.err != nil || (!it.fresh && it.opts.PageToken == "") {
			it.done = true
			return false
		}
		p, err := it.c.GetChildrenPage(it.ctx, it.path, it.opts)
		if err != nil {
			it.err = err
			return false
		}
		it.fresh = false
		it.page, it.opts.PageToken = p.Children, p.NextPageToken
	}
	it.name, it.page = it.page[0], it.page[1:]
	return true
}

// Name is the current child name (valid after Next returned true).
func (it *ChildrenIterator) Name() string { return it.name }

// Err is the error that stopped the iteration, nil at a normal end.
func (it *ChildrenIterator) Err() error { return it.err }

// All is the iterator as a range-over-func sequence; a failure is yielded once, with an empty name,
// and ends it.
func (it *ChildrenIterator) All() iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for it.Next() {
			if !yield(it.name, nil) {
				return
			}
		}
		if it.err != nil {
			yield("", it.err)
		}
	}
}
