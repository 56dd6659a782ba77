package paddock_test

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"

	paddock "github.com/paddock-dev/paddock/clients/go"
)

// valueNearMiB stays under the server's 1 MiB request limit (jute.maxbuffer counts the whole
// request) and is divided evenly by none of the chunk sizes below.
const valueNearMiB = 1_048_576 - 1_024 - 1

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func TestGetDataChunksJoinsAValueNearOneMiB(t *testing.T) {
	ctx := testCtx(t)
	c := connect(t)
	r := root(t, c)
	want := pattern(valueNearMiB)
	p := create(t, c, r+"/big", want, paddock.ModePersistent)
	_, st, err := c.GetData(ctx, p)
	noErr(t, err)
	for _, size := range []int32{0, 4093, 65_537, 100_000, valueNearMiB + 1, 1 << 20} {
		data, got, err := c.GetDataChunks(ctx, p, paddock.ChunkOptions{ChunkBytes: size})
		noErr(t, err)
		if !bytes.Equal(data, want) {
			t.Fatalf("chunks of %d: %d bytes, first difference at %d", size, len(data), firstByteDiff(data, want))
		}
		if *got != *st {
			t.Fatalf("chunks of %d: stat %+v, want %+v", size, got, st)
		}
	}
	data, got, err := c.GetDataChunks(ctx, p, paddock.ChunkOptions{ChunkBytes: 99_999, Linearizable: true})
	noErr(t, err)
	if !bytes.Equal(data, want) || got.DataLength != valueNearMiB {
		t.Fatalf("linearizable: %d bytes, stat %+v", len(data), got)
	}

	empty := create(t, c, r+"/empty", []byte{}, paddock.ModePersistent)
	data, got, err = c.GetDataChunks(ctx, empty, paddock.ChunkOptions{ChunkBytes: 3})
	noErr(t, err)
	if data == nil || len(data) != 0 || got == nil || got.DataLength != 0 {
		t.Fatalf("empty value: %v %+v", data, got)
	}
}

func firstByteDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// Every chunk of one call comes from the version the server read, while another client rewrites
// the value (each version one repeated byte) as fast as it can.
func TestGetDataChunksReadsOneVersionUnderWrites(t *testing.T) {
	ctx := testCtx(t)
	reader, writer := connect(t), connect(t)
	r := root(t, reader)
	p := create(t, reader, r+"/v", bytes.Repeat([]byte{0}, 500_000), paddock.ModePersistent)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := byte(1); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := writer.SetData(ctx, p, bytes.Repeat([]byte{i}, 500_000-int(i)), paddock.AnyVersion); err != nil {
				t.Errorf("SetData: %v", err)
				return
			}
		}
	})
	defer wg.Wait()
	defer close(stop)
	versions := map[int32]bool{}
	for range 30 {
		data, st, err := reader.GetDataChunks(ctx, p, paddock.ChunkOptions{ChunkBytes: 4093})
		noErr(t, err)
		if int(st.DataLength) != len(data) || len(bytes.Trim(data, string(data[:1]))) != 0 {
			t.Fatalf("version %d: %d bytes (stat says %d) mixing values", st.Version, len(data), st.DataLength)
		}
		versions[st.Version] = true
	}
	t.Logf("read %d distinct versions in 30 calls", len(versions))
}

func TestGetDataChunksErrorsNameThePathAndLimit(t *testing.T) {
	ctx := testCtx(t)
	alice := connect(t, paddock.WithAuth("digest", []byte("alice:secret")))
	anon := connect(t)
	r := root(t, alice)

	_, _, err := alice.GetDataChunks(ctx, r+"/missing", paddock.ChunkOptions{})
	var pe *paddock.Error
	if !errors.Is(err, paddock.ErrNoNode) || !errors.As(err, &pe) || pe.Path != r+"/missing" {
		t.Fatalf("missing node: %v, want NoNode for %s/missing", err, r)
	}
	_, _, err = alice.GetDataChunks(ctx, r, paddock.ChunkOptions{ChunkBytes: 1<<20 + 1})
	if !errors.Is(err, paddock.ErrBadArguments) || !strings.Contains(err.Error(), "1048577") || !strings.Contains(err.Error(), "1048576") {
		t.Fatalf("chunk size over the limit: %v, want BadArguments naming 1048577 and 1048576", err)
	}
	// The call carries the session's digest credentials.
	p := r + "/private"
	if _, err := alice.Create(ctx, p, []byte("secret"), paddock.ModePersistent, paddock.DigestACL(paddock.PermAll, "alice", "secret")); err != nil {
		t.Fatal(err)
	}
	data, _, err := alice.GetDataChunks(ctx, p, paddock.ChunkOptions{})
	if err != nil || string(data) != "secret" {
		t.Fatalf("alice's read of %s: %q %v", p, data, err)
	}
	if _, _, err := anon.GetDataChunks(ctx, p, paddock.ChunkOptions{}); !errors.Is(err, paddock.ErrNoAuth) {
		t.Fatalf("anonymous read of %s: %v, want NoAuth", p, err)
	}
}
