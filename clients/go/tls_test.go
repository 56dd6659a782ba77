package paddock_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"os"
	"sync"
	"testing"
	"time"

	paddock "github.com/paddock-dev/paddock/clients/go"
	"github.com/paddock-dev/paddock/clients/go/internal/testserver"
)

// TestTLS starts two servers of its own whose zoo.cfg opens a secureClientPort with certificates
// made by openssl for this run: one with ssl.clientAuth=want (TLS with the CA alone), one with
// ssl.clientAuth=need (refused without a client certificate, and with one from another CA).
func TestTLS(t *testing.T) {
	pki, err := testserver.MakePKI()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pki.Close)
	servers := map[string]*testserver.Server{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, auth := range []string{"want", "need"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := testserver.StartWithConfig(pki.ZooCfg(auth))
			if err != nil {
				t.Errorf("start clientAuth=%s: %v", auth, err)
				return
			}
			mu.Lock()
			servers[auth] = s
			mu.Unlock()
		}()
	}
	wg.Wait()
	for _, s := range servers {
		t.Cleanup(s.Close)
	}
	if t.Failed() {
		t.FailNow()
	}

	t.Run("CAOnly", func(t *testing.T) {
		c := connectTo(t, servers["want"].SecureAddr, paddock.WithTLSFiles(pki.CACert, "", ""))
		ctx := testCtx(t)
		if _, err := c.Create(ctx, "/go-tls", []byte("secret"), paddock.ModePersistent, nil); err != nil {
			t.Fatal(err)
		}
		data, _, err := c.GetData(ctx, "/go-tls")
		if err != nil || string(data) != "secret" {
			t.Fatalf("GetData over TLS: %q %v", data, err)
		}
	})

	t.Run("PlaintextToSecurePortFails", func(t *testing.T) {
		refused(t, servers["want"].SecureAddr)
	})

	t.Run("NeedRefusesWithoutClientCert", func(t *testing.T) {
		refused(t, servers["need"].SecureAddr, paddock.WithTLSFiles(pki.CACert, "", ""))
		refused(t, servers["need"].SecureAddr, paddock.WithTLSFiles(pki.CACert, pki.OtherCert, pki.OtherKey))
	})

	t.Run("NeedAcceptsClientCert", func(t *testing.T) {
		c := connectTo(t, servers["need"].SecureAddr, paddock.WithTLSFiles(pki.CACert, pki.ClientCert, pki.ClientKey))
		ctx := testCtx(t)
		if _, err := c.Create(ctx, "/go-mtls", []byte("mutual"), paddock.ModePersistent, nil); err != nil {
			t.Fatal(err)
		}
		data, _, err := c.GetData(ctx, "/go-mtls")
		if err != nil || string(data) != "mutual" {
			t.Fatalf("GetData over mTLS: %q %v", data, err)
		}
		ids, err := c.WhoAmI(ctx)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, id := range ids {
			found = found || (id.AuthScheme == "x509" && id.User == "CN=go-client,O=Paddock")
		}
		if !found {
			t.Fatalf("WhoAmI over mTLS: %+v, want x509 CN=go-client,O=Paddock", ids)
		}
	})

	t.Run("WithTLSConfig", func(t *testing.T) {
		pem, err := os.ReadFile(pki.CACert)
		if err != nil {
			t.Fatal(err)
		}
		roots := x509.NewCertPool()
		roots.AppendCertsFromPEM(pem)
		pair, err := tls.LoadX509KeyPair(pki.ClientCert, pki.ClientKey)
		if err != nil {
			t.Fatal(err)
		}
		c := connectTo(t, servers["need"].SecureAddr,
			paddock.WithTLS(&tls.Config{RootCAs: roots, Certificates: []tls.Certificate{pair}}))
		if _, _, err := c.GetData(testCtx(t), "/go-mtls"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("BadFiles", func(t *testing.T) {
		_, err := paddock.Connect(context.Background(), []string{servers["need"].SecureAddr},
			paddock.WithTLSFiles(pki.CACert, pki.ClientCert, ""))
		if err == nil {
			t.Fatal("Connect with a certificate but no key succeeded")
		}
	})
}

// refused: Connect does not get a session within a short deadline.
func refused(t *testing.T, addr string, opts ...paddock.Option) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	opts = append(opts, paddock.WithConnectTimeout(time.Second))
	c, err := paddock.Connect(ctx, []string{addr}, opts...)
	if err == nil {
		_ = c.Close(context.Background())
		t.Fatalf("Connect(%s) succeeded, want refused", addr)
	}
}
