package paddock

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

type options struct {
	sessionTimeout    time.Duration
	connectTimeout    time.Duration
	backoffMin        time.Duration
	backoffMax        time.Duration
	maxQueuedRequests int
	watchBuffer       int
	stateBuffer       int
	maxRecvBytes      int
	dialOptions       []grpc.DialOption
	tlsConfig         *tls.Config
	tlsFiles          *tlsFiles
	auth              []authCred
	logger            *slog.Logger
}

type tlsFiles struct{ ca, cert, key string }

type authCred struct {
	scheme string
	auth   []byte
}

func defaultOptions() options {
	return options{
		sessionTimeout:    10 * time.Second,
		connectTimeout:    5 * time.Second,
		backoffMin:        50 * time.Millisecond,
		backoffMax:        2 * time.Second,
		maxQueuedRequests: 4096,
		watchBuffer:       256,
		stateBuffer:       16,
		maxRecvBytes:      64 << 20,
		logger:            slog.New(slog.DiscardHandler),
	}
}

func (o *options) validate() error {
	switch {
	case o.sessionTimeout < time.Millisecond:
		return fmt.Errorf("paddock: session timeout %v is below 1ms", o.sessionTimeout)
	case o.connectTimeout <= 0:
		return fmt.Errorf("paddock: connect timeout %v must be positive", o.connectTimeout)
	case o.backoffMin <= 0 || o.backoffMax < o.backoffMin:
		return fmt.Errorf("paddock: backoff [%v, %v] is not a positive range", o.backoffMin, o.backoffMax)
	case o.maxQueuedRequests < 1:
		return fmt.Errorf("paddock: max queued requests %d must be at least 1", o.maxQueuedRequests)
	case o.watchBuffer < 1:
		return fmt.Errorf("paddock: watch buffer %d must be at least 1", o.watchBuffer)
	case o.stateBuffer < 1:
		return fmt.Errorf("paddock: state buffer %d must be at least 1", o.stateBuffer)
	}
	return nil
}

// Option configures Connect.
type Option func(*options)

// WithSessionTimeout asks for this session timeout (the server clamps it to its
// [minSessionTimeout, maxSessionTimeout]). Default 10s.
func WithSessionTimeout(d time.Duration) Option { return func(o *options) { o.sessionTimeout = d } }

// WithConnectTimeout bounds one connection attempt to one server (dial and handshake). Default 5s.
func WithConnectTimeout(d time.Duration) Option { return func(o *options) { o.connectTimeout = d } }

// WithBackoff sets the reconnect backoff range; the delay doubles per failed attempt. Default
// 50ms..2s.
func WithBackoff(minDelay, maxDelay time.Duration) Option {
	return func(o *options) { o.backoffMin, o.backoffMax = minDelay, maxDelay }
}

// WithMaxQueuedRequests bounds the requests waiting to be sent; beyond it calls fail at once with
// ErrQueueFull. Default 4096.
func WithMaxQueuedRequests(n int) Option { return func(o *options) { o.maxQueuedRequests = n } }

// WithWatchBuffer sets how many events a persistent watch channel buffers before the watch is
// dropped with ErrWatchOverflow. Default 256.
func WithWatchBuffer(n int) Option { return func(o *options) { o.watchBuffer = n } }

// WithStateBuffer sets the buffer of the States channel; when it is full the oldest state is
// dropped (State() always has the current one). Default 16.
func WithStateBuffer(n int) Option { return func(o *options) { o.stateBuffer = n } }

// WithDialOptions adds gRPC dial options (interceptors, ...), applied after the client's own
// (so grpc.WithTransportCredentials here replaces what WithTLS or WithTLSFiles set).
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(o *options) { o.dialOptions = append(o.dialOptions, opts...) }
}

// WithTLS connects over TLS (to the server's secureClientPort) with this configuration: RootCAs
// for the CA that signed the server's certificate (nil: the system roots), Certificates for a
// client certificate (mutual TLS, needed when the server has ssl.clientAuth=need). The server's
// name is checked against the address dialed unless cfg.ServerName says otherwise.
func WithTLS(cfg *tls.Config) Option {
	return func(o *options) { o.tlsConfig, o.tlsFiles = cfg.Clone(), nil }
}

// WithTLSFiles connects over TLS, trusting the CA certificates of the PEM file caFile ("" for the
// system roots) and, when certFile and keyFile are set, presenting that PEM client certificate and
// key (mutual TLS). Connect reads the files and fails if they cannot be used.
func WithTLSFiles(caFile, certFile, keyFile string) Option {
	return func(o *options) { o.tlsConfig, o.tlsFiles = nil, &tlsFiles{ca: caFile, cert: certFile, key: keyFile} }
}

// transportCredentials: TLS from WithTLS or WithTLSFiles, else plaintext.
func (o *options) transportCredentials() (credentials.TransportCredentials, error) {
	if o.tlsFiles != nil {
		cfg, err := o.tlsFiles.config()
		if err != nil {
			return nil, err
		}
		return credentials.NewTLS(cfg), nil
	}
	if o.tlsConfig != nil {
		return credentials.NewTLS(o.tlsConfig), nil
	}
	return insecure.NewCredentials(), nil
}

func (f *tlsFiles) config() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if f.ca != "" {
		pem, err := os.ReadFile(f.ca)
		if err != nil {
			return nil, fmt.Errorf("paddock: TLS CA file: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("paddock: TLS CA file %s holds no PEM certificate", f.ca)
		}
	}
	if (f.cert == "") != (f.key == "") {
		return nil, fmt.Errorf("paddock: TLS client certificate needs both a cert file and a key file")
	}
	if f.cert != "" {
		pair, err := tls.LoadX509KeyPair(f.cert, f.key)
		if err != nil {
			return nil, fmt.Errorf("paddock: TLS client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// WithAuth adds credentials sent with the connect request itself, so the session is
// authenticated from its first request (as AddAuth, and re-sent on every reconnect).
func WithAuth(scheme string, auth []byte) Option {
	return func(o *options) { o.auth = append(o.auth, authCred{scheme: scheme, auth: auth}) }
}

// WithLogger logs connection changes at Info and protocol anomalies at Warn. Default: discard.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }
