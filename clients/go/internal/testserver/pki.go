package testserver

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// PKI is a set of test certificates made with the openssl command in a fresh temporary directory
// (no key is committed): a CA, a server certificate for 127.0.0.1/localhost with its PEM key store
// (key and chain in one file, as ZooKeeper's PEM store), a client certificate signed by the CA,
// and a client certificate from another CA, which the server does not trust.
type PKI struct {
	Dir         string
	CACert      string // PEM
	ServerStore string // PEM key store: key + certificate chain
	ClientCert  string // PEM, signed by the CA, subject CN=go-client,O=Paddock
	ClientKey   string
	OtherCert   string // PEM, signed by another CA
	OtherKey    string
}

const (
	serverExt = "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n" +
		"extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n"
	clientExt = "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n" +
		"extendedKeyUsage=clientAuth\n"
)

// MakePKI writes the certificates; Close removes them.
func MakePKI() (*PKI, error) {
	dir, err := os.MkdirTemp("", "paddock-go-pki-")
	if err != nil {
		return nil, err
	}
	run := func(args ...string) error {
		cmd := exec.Command("openssl", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("testserver: openssl %v: %w\n%s", args, err, out)
		}
		return nil
	}
	ca := func(name, subject string) error {
		if err := run("genrsa", "-out", name+".key", "2048"); err != nil {
			return err
		}
		return run("req", "-new", "-x509", "-days", "2", "-key", name+".key", "-out", name+".crt",
			"-subj", subject, "-addext", "basicConstraints=critical,CA:TRUE",
			"-addext", "keyUsage=critical,keyCertSign,cRLSign")
	}
	leaf := func(issuer, name, subject, ext string) error {
		if err := run("genrsa", "-out", name+".key", "2048"); err != nil {
			return err
		}
		if err := run("req", "-new", "-key", name+".key", "-out", name+".csr", "-subj", subject); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name+".ext"), []byte(ext), 0o600); err != nil {
			return err
		}
		return run("x509", "-req", "-days", "2", "-in", name+".csr", "-CA", issuer+".crt",
			"-CAkey", issuer+".key", "-CAcreateserial", "-out", name+".crt", "-extfile", name+".ext")
	}
	steps := []func() error{
		func() error { return ca("ca", "/CN=Paddock Go Test CA/O=Paddock") },
		func() error { return ca("other-ca", "/CN=Other CA/O=Elsewhere") },
		func() error { return leaf("ca", "server", "/O=Paddock/CN=paddock-server", serverExt) },
		func() error { return leaf("ca", "client", "/O=Paddock/CN=go-client", clientExt) },
		func() error { return leaf("other-ca", "other", "/O=Elsewhere/CN=intruder", clientExt) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
	}
	var store []byte
	for _, f := range []string{"server.key", "server.crt", "ca.crt"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
		store = append(store, b...)
	}
	if err := os.WriteFile(filepath.Join(dir, "server.pem"), store, 0o600); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	return &PKI{
		Dir: dir, CACert: p("ca.crt"), ServerStore: p("server.pem"),
		ClientCert: p("client.crt"), ClientKey: p("client.key"),
		OtherCert: p("other.crt"), OtherKey: p("other.key"),
	}, nil
}

// ZooCfg is zoo.cfg text opening a secureClientPort (port 0: any free port, reported in the
// ready file) with this PKI's PEM stores and ssl.clientAuth set to clientAuth.
func (p *PKI) ZooCfg(clientAuth string) string {
	return fmt.Sprintf("secureClientPort=0\nssl.keyStore.location=%s\nssl.keyStore.type=PEM\n"+
		"ssl.trustStore.location=%s\nssl.trustStore.type=PEM\nssl.clientAuth=%s\n",
		p.ServerStore, p.CACert, clientAuth)
}

// Close removes the certificates.
func (p *PKI) Close() { _ = os.RemoveAll(p.Dir) }
