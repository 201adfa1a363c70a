package access

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/secret"
)

// DefaultTimeout bounds the connect and handshake, and each command, when
// the target sets no Timeout. A shorter ctx deadline wins.
const DefaultTimeout = 30 * time.Second

// agentDialTimeout bounds the connection to the local ssh-agent socket.
const agentDialTimeout = 5 * time.Second

// Target says where and as whom to connect over SSH.
type Target struct {
	// Addr is host:port.
	Addr string
	User string
	Auth []ssh.AuthMethod
	// KnownHosts is the known_hosts file the host key must be in. Host keys
	// are always verified; a missing file knows no host.
	KnownHosts string
	// Source says where the credentials come from (secret.Source), for the
	// AUTH_FAILED message.
	Source string
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

// AuthMethods turns resolved credentials into SSH client authentication:
// the key file, the keys of ssh-agent (SSH_AUTH_SOCK), then the password
// (also answering keyboard-interactive prompts with it). No method at all,
// an unreadable key file or an unset SSH_AUTH_SOCK is CREDENTIALS_MISSING.
func AuthMethods(c secret.Resolved) ([]ssh.AuthMethod, error) {
	var auth []ssh.AuthMethod
	if c.KeyFile != "" {
		pem, err := os.ReadFile(c.KeyFile)
		if err != nil {
			return nil, cause.Wrap(cause.CredentialsMissing, err, "sshKeyFile %s cannot be read: %v", c.KeyFile, errors.Unwrap(err))
		}
		signer, err := ssh.ParsePrivateKey(pem)
		if err != nil {
			return nil, cause.Wrap(cause.CredentialsMissing, err, "sshKeyFile %s: %v", c.KeyFile, err)
		}
		auth = append(auth, ssh.PublicKeys(signer))
	}
	if c.Agent {
		sock := os.Getenv("SSH_AUTH_SOCK")
		if sock == "" {
			return nil, cause.New(cause.CredentialsMissing, "sshAgent is set but SSH_AUTH_SOCK is not")
		}
		auth = append(auth, ssh.PublicKeysCallback(func() ([]ssh.Signer, error) {
			// The agent signs during the handshake: the connection stays
			// open until the client is garbage collected.
			conn, err := net.DialTimeout("unix", sock, agentDialTimeout)
			if err != nil {
				return nil, fmt.Errorf("ssh-agent %s: %w", sock, err)
			}
			return agent.NewClient(conn).Signers()
		}))
	}
	if !c.Password.IsZero() {
		pw := c.Password.Reveal()
		auth = append(auth, ssh.Password(pw), ssh.KeyboardInteractive(func(_, _ string, q []string, _ []bool) ([]string, error) {
			a := make([]string, len(q))
			for i := range a {
				a[i] = pw
			}
			return a, nil
		}))
	}
	if len(auth) == 0 {
		return nil, cause.New(cause.CredentialsMissing, "no SSH credentials: set passwordEnv, passwordFile, sshKeyFile or sshAgent")
	}
	return auth, nil
}

// HostKeyCallback verifies host keys against the known_hosts file. A key
// the file does not know is HOST_KEY_UNKNOWN, a different or revoked key
// HOST_KEY_MISMATCH; both messages give the offered key's SHA256
// fingerprint and the command that trusts it. A missing file knows no host.
func HostKeyCallback(file string) (ssh.HostKeyCallback, error) {
	check, err := knownhosts.New(file)
	missing := errors.Is(err, fs.ErrNotExist)
	if err != nil && !missing {
		return nil, cause.Wrap(cause.HostKeyUnknown, err, "known_hosts %s cannot be used: %v", file, err)
	}
	return func(host string, remote net.Addr, key ssh.PublicKey) error {
		var err error = &knownhosts.KeyError{}
		if !missing {
			err = check(host, remote, key)
		}
		return hostKeyError(file, missing, host, key, err)
	}, nil
}

func hostKeyError(file string, missing bool, addr string, key ssh.PublicKey, err error) error {
	if err == nil {
		return nil
	}
	offered := key.Type() + " " + ssh.FingerprintSHA256(key)
	h, port, splitErr := net.SplitHostPort(addr)
	if splitErr != nil {
		h, port = addr, "22"
	}
	trust := fmt.Sprintf("ssh-keyscan -p %s %s >> %s", port, h, file)
	var ke *knownhosts.KeyError
	var re *knownhosts.RevokedError
	switch {
	case errors.As(err, &re):
		return cause.Wrap(cause.HostKeyMismatch, err, "host key of %s (%s) is revoked in %s:%d", addr, offered, re.Revoked.Filename, re.Revoked.Line)
	case errors.As(err, &ke) && len(ke.Want) == 0:
		where := file
		if missing {
			where += " (the file does not exist)"
		}
		return cause.Wrap(cause.HostKeyUnknown, err, "host key of %s is not in %s; it offers %s: if that is the host's fingerprint, trust it with `%s`", addr, where, offered, trust)
	case errors.As(err, &ke):
		w := ke.Want[0]
		for _, k := range ke.Want {
			if k.Key.Type() == key.Type() {
				w = k
				break
			}
		}
		return cause.Wrap(cause.HostKeyMismatch, err, "host key of %s differs from %s:%d: it offers %s, the file has %s %s; if the host's key changed on purpose, remove the old entry (`ssh-keygen -R '%s' -f %s`) and trust the new one with `%s`",
			addr, w.Filename, w.Line, offered, w.Key.Type(), ssh.FingerprintSHA256(w.Key), knownhosts.Normalize(addr), file, trust)
	}
	return err
}

// Client is an SSH connection whose commands are bounded: a command past
// its deadline, or whose ctx is cancelled, closes the connection (an SSH
// session cannot be interrupted otherwise) and the client is Broken.
type Client struct {
	c       *ssh.Client
	addr    string
	timeout time.Duration
	broken  atomic.Bool
}

// Dial connects to t: the TCP connect and the SSH handshake (banner, key
// exchange, host key, authentication) end by t.Timeout or the ctx deadline,
// whichever is first, and on cancel.
func Dial(ctx context.Context, t Target) (*Client, error) {
	verify, err := HostKeyCallback(t.KnownHosts)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, t.timeout())
	defer cancel()
	timeout := budget(ctx)
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", t.Addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctxError(ctx, "connect to "+t.Addr, timeout)
		}
		return nil, dialError(err)
	}
	// The handshake takes no ctx: the socket's deadline bounds every read
	// and write, and cancel moves the deadline to now.
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return nil, cause.Wrap(cause.ProtocolError, err, "connect to %s: %v", t.Addr, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	cconn := &countingConn{Conn: conn}
	cc, chans, reqs, err := ssh.NewClientConn(cconn, t.Addr, &ssh.ClientConfig{User: t.User, Auth: t.Auth, HostKeyCallback: verify})
	if !stop() {
		if err == nil {
			cc.Close()
		}
		conn.Close()
		if cconn.read.Load() == 0 {
			return nil, ctxError(ctx, "no SSH banner from "+t.Addr, timeout)
		}
		return nil, ctxError(ctx, "SSH handshake with "+t.Addr, timeout)
	}
	if err != nil {
		conn.Close()
		return nil, handshakeError(t, deadline, timeout, cconn.read.Load() > 0, err)
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		cc.Close()
		return nil, cause.Wrap(cause.ProtocolError, err, "SSH connection to %s: %v", t.Addr, err)
	}
	return &Client{c: ssh.NewClient(cc, chans, reqs), addr: t.Addr, timeout: timeout}, nil
}

// dialError is a failed TCP connect: the standard library's classification
// (refused, no route, name not found), UNREACHABLE otherwise.
func dialError(err error) error {
	code := cause.Of(err)
	if code == cause.ProtocolError {
		code = cause.Unreachable
	}
	return cause.Wrap(code, err, "%s", cause.Describe(code, err))
}

// handshakeError gives a failed SSH handshake its cause; spoke says
// whether the remote side sent anything (its banner, at least).
func handshakeError(t Target, deadline time.Time, timeout time.Duration, spoke bool, err error) error {
	var ce *cause.Error
	switch {
	case errors.As(err, &ce):
		// The host key callback's verdict.
		return ce
	case (errors.Is(err, os.ErrDeadlineExceeded) || !time.Now().Before(deadline)) && !spoke:
		return cause.Wrap(cause.Timeout, err, "no SSH banner from %s within %s: does the port speak SSH?", t.Addr, timeout)
	case errors.Is(err, os.ErrDeadlineExceeded) || !time.Now().Before(deadline):
		return cause.Wrap(cause.Timeout, err, "SSH handshake with %s: no answer within %s", t.Addr, timeout)
	case !spoke:
		return cause.Wrap(cause.ProtocolError, err, "%s closed the connection before its SSH banner", t.Addr)
	case strings.Contains(err.Error(), "unable to authenticate"):
		// x/crypto/ssh has no typed error for a refused login.
		return cause.Wrap(cause.AuthFailed, err, "SSH authentication failed for user %q at %s (%s)", t.User, t.Addr, t.Source)
	}
	return cause.Wrap(cause.ProtocolError, err, "SSH handshake with %s: %s", t.Addr, strings.TrimPrefix(err.Error(), "ssh: handshake failed: "))
}

// countingConn counts the bytes read, to tell a silent port from a
// handshake that stalled.
type countingConn struct {
	net.Conn
	read atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// budget is the time left until ctx's deadline, rounded for messages.
func budget(ctx context.Context) time.Duration {
	dl, _ := ctx.Deadline()
	d := time.Until(dl)
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}

// ctxError says why ctx ended what: TIMEOUT after d, or INTERRUPTED.
func ctxError(ctx context.Context, what string, d time.Duration) error {
	err := context.Cause(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return cause.Wrap(cause.Timeout, err, "%s: no answer within %s", what, d)
	}
	return cause.Wrap(cause.Interrupted, err, "%s: interrupted", what)
}

// Run runs cmd in a new session with stdin, stdout and stderr. The command
// ends by the client's timeout or the ctx deadline, whichever is first; past
// it (or on cancel) the connection is closed and the error is TIMEOUT (or
// INTERRUPTED). A command that exits non-zero returns *ssh.ExitError.
func (c *Client) Run(ctx context.Context, cmd string, stdin io.Reader, stdout, stderr io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	limit := budget(ctx)
	stop := context.AfterFunc(ctx, func() {
		c.broken.Store(true)
		c.c.Close()
	})
	defer stop()
	sess, err := c.c.NewSession()
	if err == nil {
		defer sess.Close()
		sess.Stdin, sess.Stdout, sess.Stderr = stdin, stdout, stderr
		err = sess.Run(cmd)
	}
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctxError(ctx, fmt.Sprintf("command %q on %s", cmd, c.addr), limit)
	}
	var ee *ssh.ExitError
	if errors.As(err, &ee) {
		return err
	}
	c.broken.Store(true)
	return cause.Wrap(cause.ProtocolError, err, "command %q on %s: SSH connection lost: %v", cmd, c.addr, err)
}

// Broken reports whether the connection was closed under a command (its
// deadline passed, its ctx was cancelled, or the connection dropped): dial
// again.
func (c *Client) Broken() bool { return c.broken.Load() }

// Close ends the connection.
func (c *Client) Close() error {
	err := c.c.Close()
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
