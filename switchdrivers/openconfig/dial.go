package openconfig

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/switchdrivers"
)

// lastError keeps the most recent TCP or TLS failure of a gRPC connection:
// gRPC reports it only as text, the driver needs its type for the cause.
type lastError struct {
	mu  sync.Mutex
	err error
	// handshaking is set while a TLS handshake runs: a timeout then means
	// the port accepted the connection but never completed the handshake.
	handshaking bool
}

func (l *lastError) set(err error, handshaking bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.err, l.handshaking = err, handshaking
}

func (l *lastError) get() (error, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err, l.handshaking
}

// tlsTransport is gRPC transport security that runs the TLS handshake with
// the driver's own configuration (gRPC's replaces ServerName with the dial
// address, losing tls.serverName) and records why a handshake failed.
type tlsTransport struct {
	cfg  *tls.Config
	last *lastError
}

func (t *tlsTransport) ClientHandshake(ctx context.Context, _ string, raw net.Conn) (net.Conn, credentials.AuthInfo, error) {
	conn := tls.Client(raw, t.cfg)
	t.last.set(nil, true)
	if err := conn.HandshakeContext(ctx); err != nil {
		conn.Close()
		t.last.set(err, false)
		return nil, nil, err
	}
	st := conn.ConnectionState()
	if st.NegotiatedProtocol != "h2" {
		conn.Close()
		err := cause.New(cause.ProtocolError, "the target did not negotiate HTTP/2 (ALPN h2) in the TLS handshake: is this a gNMI port?")
		t.last.set(err, false)
		return nil, nil, err
	}
	t.last.set(nil, false)
	return conn, credentials.TLSInfo{State: st, CommonAuthInfo: credentials.CommonAuthInfo{SecurityLevel: credentials.PrivacyAndIntegrity}}, nil
}

func (t *tlsTransport) ServerHandshake(net.Conn) (net.Conn, credentials.AuthInfo, error) {
	return nil, nil, errors.New("openconfig: client-side transport only")
}

func (t *tlsTransport) Info() credentials.ProtocolInfo {
	return credentials.ProtocolInfo{SecurityProtocol: "tls", SecurityVersion: "1.2", ServerName: t.cfg.ServerName}
}

func (t *tlsTransport) Clone() credentials.TransportCredentials {
	return &tlsTransport{cfg: t.cfg.Clone(), last: t.last}
}

func (t *tlsTransport) OverrideServerName(name string) error {
	t.cfg.ServerName = name
	return nil
}

// dial opens the gRPC connection to cfg's target and waits until it is
// ready: the TCP connect and the TLS and HTTP/2 handshakes end by the
// deadline of ctx. Failures carry their cause: UNREACHABLE, TIMEOUT,
// TLS_VERIFY_FAILED naming the CA file and server name.
func dial(ctx context.Context, cfg switchdrivers.Config, tc *tls.Config, opts []grpc.DialOption) (*grpc.ClientConn, error) {
	addr := net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port))
	last := &lastError{}
	tc = tc.Clone()
	tc.NextProtos = []string{"h2"}
	opts = append(opts,
		grpc.WithTransportCredentials(&tlsTransport{cfg: tc, last: last}),
		grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
			last.set(err, false)
			return c, err
		}),
	)
	conn, err := grpc.NewClient("passthrough:///"+addr, opts...)
	if err != nil {
		return nil, cause.Wrap(cause.ProtocolError, err, "gNMI client for %s: %v", addr, err)
	}
	limit := budget(ctx)
	conn.Connect()
	for {
		s := conn.GetState()
		switch s {
		case connectivity.Ready:
			return conn, nil
		case connectivity.TransientFailure, connectivity.Shutdown:
			err, _ := last.get()
			conn.Close()
			return nil, connectError(cfg, addr, tc, err)
		}
		if !conn.WaitForStateChange(ctx, s) {
			err, handshaking := last.get()
			conn.Close()
			if ctx.Err() == context.Canceled {
				return nil, cause.Wrap(cause.Interrupted, ctx.Err(), "interrupted while connecting to %s", addr)
			}
			what := "connect to " + addr
			if handshaking {
				what = "TLS handshake with " + addr
			}
			if err == nil {
				err = ctx.Err()
			}
			return nil, cause.Wrap(cause.Timeout, err, "%s: no answer within %s (settings.timeout)", what, limit)
		}
	}
}

// connectError gives a failed connection its cause.
func connectError(cfg switchdrivers.Config, addr string, tc *tls.Config, err error) error {
	if err == nil {
		return cause.New(cause.Unreachable, "cannot connect to %s", addr)
	}
	var ce *cause.Error
	if errors.As(err, &ce) {
		return ce
	}
	switch code := cause.Of(err); code {
	case cause.TLSVerifyFailed:
		ca := "the system's CA certificates (no tls.ca)"
		if cfg.CAFile != "" {
			ca = "CA file " + cfg.CAFile
		}
		var ve *tls.CertificateVerificationError
		reason := err
		if errors.As(err, &ve) {
			reason = ve.Err
		}
		return cause.Wrap(code, err, "the certificate of %s did not verify with %s for server name %s (%v): set tls.ca to the CA that signed it, or tls.serverName to a name it holds",
			addr, ca, tc.ServerName, reason)
	case cause.Unreachable, cause.Timeout:
		return cause.Wrap(code, err, "%s", cause.Describe(code, err))
	default:
		return cause.Wrap(cause.ProtocolError, err, "connection to %s failed: %v", addr, err)
	}
}

// budget is the time left until ctx's deadline, rounded for messages.
func budget(ctx context.Context) time.Duration {
	dl, ok := ctx.Deadline()
	if !ok {
		return 0
	}
	d := time.Until(dl)
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}

// rpcError gives a failed RPC its cause: the target refusing the user is
// AUTH_FAILED (naming the user and where the secret came from, never the
// secret), a deadline TIMEOUT, a lost connection UNREACHABLE.
func rpcError(cfg switchdrivers.Config, rpc string, limit time.Duration, err error) *cause.Error {
	st := status.Convert(err)
	switch st.Code() {
	case codes.Unauthenticated:
		return cause.Wrap(cause.AuthFailed, err, "%s: the target refused user %q (%s): %s", rpc, cfg.Username, credentialSource(cfg), st.Message())
	case codes.PermissionDenied:
		return cause.Wrap(cause.AuthFailed, err, "%s: user %q (%s) is not allowed: %s", rpc, cfg.Username, credentialSource(cfg), st.Message())
	case codes.DeadlineExceeded:
		return cause.Wrap(cause.Timeout, err, "%s: no answer within %s (settings.timeout)", rpc, limit)
	case codes.Canceled:
		return cause.Wrap(cause.Interrupted, err, "%s: interrupted", rpc)
	}
	return cause.Wrap(cause.ProtocolError, err, "%s: %s: %s", rpc, st.Code(), st.Message())
}

// credentialSource says where cfg's password came from, never the value.
func credentialSource(cfg switchdrivers.Config) string {
	switch {
	case cfg.CredentialSource != "":
		return cfg.CredentialSource
	case cfg.Password.IsZero():
		return "no password configured"
	}
	return "a password"
}
