package access

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/secret"
)

// DefaultTimeout bounds the connect and handshake, and each command, when
// the target sets no Timeout. A shorter ctx deadline wins.
const DefaultTimeout = 30 * time.Second

// Target says where and as whom to connect over SSH.
type Target struct {
	// Addr is host:port.
	Addr string
	User string
	// Creds are the resolved credentials: the key file, ssh-agent and the
	// password are tried in that order (see Dial).
	Creds secret.Resolved
	// Source says where Creds came from (secret.Source), for the
	// AUTH_FAILED message.
	Source string
	// KnownHosts is the known_hosts file the host key must be in; a
	// missing file knows no host. Without one the host key cannot be
	// trusted (HOST_KEY_UNKNOWN) unless Insecure.
	KnownHosts string
	// Insecure skips host key verification (a switch's insecure: true);
	// the caller says so in its log.
	Insecure bool
	// Timeout bounds the TCP connect with the SSH handshake, and each
	// command (default DefaultTimeout).
	Timeout time.Duration
}

func (t Target) timeout() time.Duration {
	if t.Timeout > 0 {
		return t.Timeout
	}
	return DefaultTimeout
}

// DefaultKnownHosts is the known_hosts file used when a target names none:
// ~/.ssh/known_hosts, as ssh(1) uses.
func DefaultKnownHosts() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".ssh", "known_hosts"), nil
}

// Client is an SSH connection whose operations are bounded: one past its
// deadline, or whose ctx is cancelled, closes the connection (an SSH
// session cannot be interrupted otherwise) and the client is Broken.
type Client struct {
	c       *ssh.Client
	addr    string
	timeout time.Duration
	broken  atomic.Bool
}

// Dial connects to t and authenticates. The TCP connect and the whole SSH
// handshake (banner, key exchange, host key, authentication) end by
// t.Timeout or the ctx deadline, whichever is first, and on cancel:
// crypto/ssh takes no ctx, so the socket carries the deadline and a
// cancellation closes it. The host key is checked against t.KnownHosts,
// offering only the key types the file records for the host (see
// hostKeys.algorithms). Every failure is a *cause.Error.
func Dial(ctx context.Context, t Target) (*Client, error) {
	ctx, cancel := WithTimeout(ctx, t.timeout())
	defer cancel()
	limit := budget(ctx)
	keys, err := newHostKeys(t)
	if err != nil {
		return nil, err
	}
	auth, closeAgent, err := authMethods(ctx, t.User, t.Creds)
	if err != nil {
		return nil, err
	}
	// The agent signs during authentication only.
	defer closeAgent()

	raw, err := (&net.Dialer{}).DialContext(ctx, "tcp", t.Addr)
	if err != nil {
		return nil, dialError(ctx, t.Addr, limit, err)
	}
	conn := &countingConn{Conn: raw}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	cc, chans, reqs, err := ssh.NewClientConn(conn, t.Addr, &ssh.ClientConfig{
		User:              t.User,
		Auth:              auth,
		HostKeyCallback:   keys.check,
		HostKeyAlgorithms: keys.algorithms(conn.RemoteAddr()),
	})
	if !stop() && err == nil {
		// The cancellation closed the connection as the handshake ended.
		cc.Close()
		err = ctx.Err()
	}
	if err != nil {
		conn.Close()
		return nil, handshakeError(ctx, t, limit, conn.read.Load() > 0, keys, err)
	}
	_ = conn.SetDeadline(time.Time{})
	return &Client{c: ssh.NewClient(cc, chans, reqs), addr: t.Addr, timeout: t.timeout()}, nil
}

// countingConn counts the bytes read, which tells a host that never sent
// its SSH banner from one that stopped answering later in the handshake.
type countingConn struct {
	net.Conn
	read atomic.Int64
}

func (c *countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.read.Add(int64(n))
	return n, err
}

// Do runs f on the connection, bounded by the client's timeout and the ctx
// deadline, whichever is first; past it (or on cancel) the connection is
// closed and the error is TIMEOUT (or INTERRUPTED). what names the
// operation in messages (`command "ls"`, "opening the shell"). An
// *ssh.ExitError from f is returned as it is; any other failure is
// PROTOCOL_ERROR and leaves the client Broken.
func (c *Client) Do(ctx context.Context, what string, f func(*ssh.Client) error) error {
	ctx, cancel := WithTimeout(ctx, c.timeout)
	defer cancel()
	limit := budget(ctx)
	stop := context.AfterFunc(ctx, func() {
		c.broken.Store(true)
		c.c.Close()
	})
	err := f(c.c)
	if !stop() {
		return ctxError(ctx, what+" on "+c.addr, limit)
	}
	var ee *ssh.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee):
		return err
	}
	c.broken.Store(true)
	var missing *ssh.ExitMissingError
	if closed(err) || errors.As(err, &missing) {
		return cause.Wrap(cause.ProtocolError, err, "%s on %s: SSH connection lost: %v", what, c.addr, err)
	}
	return cause.Wrap(cause.ProtocolError, err, "%s on %s: %s", what, c.addr, strings.TrimPrefix(err.Error(), "ssh: "))
}

// Run runs cmd in a new session with stdin, stdout and stderr, bounded as
// Do says. A command that exits non-zero returns *ssh.ExitError.
func (c *Client) Run(ctx context.Context, cmd string, stdin io.Reader, stdout, stderr io.Writer) error {
	return c.Do(ctx, fmt.Sprintf("command %q", cmd), func(cl *ssh.Client) error {
		sess, err := cl.NewSession()
		if err != nil {
			return err
		}
		defer sess.Close()
		sess.Stdin, sess.Stdout, sess.Stderr = stdin, stdout, stderr
		return sess.Run(cmd)
	})
}

// Broken reports whether the connection was closed under an operation (its
// deadline passed, its ctx was cancelled, or the connection dropped): dial
// again.
func (c *Client) Broken() bool { return c.broken.Load() }

// Close ends the connection; closing a connection already closed is no
// error.
func (c *Client) Close() error {
	err := c.c.Close()
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
