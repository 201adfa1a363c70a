package clisession

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/scrapli/scrapligo/transport"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/switchdrivers"
)

// sshTransport is the transport under scrapligo for every device: crypto/ssh
// over a connection connect dials itself. scrapligo's standard transport
// calls ssh.Dial, whose timeout covers the TCP connect only: a device that
// accepts and never speaks would hold Open forever. Here the whole
// handshake (banner, key exchange, authentication, session, pty, shell)
// runs under one connection deadline, and a cancelled context closes the
// connection at any stage. scrapligo's Open then finds the shell open, and
// reads and writes it through Read and Write.
type sshTransport struct {
	mu      sync.Mutex
	conn    net.Conn
	agent   net.Conn
	client  *ssh.Client
	session *ssh.Session
	w       io.WriteCloser
	r       io.Reader
}

// connect dials cfg's device at addr and opens a shell on it within
// timeout, authenticating with whatever cfg holds (password and
// keyboard-interactive, key file, ssh-agent) and verifying the host key
// against cfg.KnownHosts unless cfg.Insecure. Failures are *cause.Error.
func (t *sshTransport) connect(ctx context.Context, cfg switchdrivers.Config, addr string, timeout time.Duration) (err error) {
	keys, err := newHostKeys(cfg, addr)
	if err != nil {
		return err
	}
	auth, agentConn, err := authMethods(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil && agentConn != nil {
			agentConn.Close()
		}
	}()

	d := net.Dialer{Timeout: timeout}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return dialError(ctx, addr, timeout, err)
	}
	conn := &countingConn{Conn: raw}
	// One deadline for the whole handshake; cleared once the shell is open.
	_ = conn.SetDeadline(time.Now().Add(timeout))
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	fail := func(stage string, err error) error {
		stop()
		conn.Close()
		return handshakeError(ctx, addr, timeout, stage, conn.read.Load() > 0, keys, cfg, err)
	}

	c, chans, reqs, err := ssh.NewClientConn(conn, addr, &ssh.ClientConfig{
		User:              cfg.Username,
		Auth:              auth,
		HostKeyCallback:   keys.check,
		HostKeyAlgorithms: keys.algorithms(conn.RemoteAddr()),
	})
	if err != nil {
		return fail("handshake", err)
	}
	client := ssh.NewClient(c, chans, reqs)
	sess, err := client.NewSession()
	if err != nil {
		return fail("shell", err)
	}
	w, err := sess.StdinPipe()
	if err != nil {
		return fail("shell", err)
	}
	r, err := sess.StdoutPipe()
	if err != nil {
		return fail("shell", err)
	}
	modes := ssh.TerminalModes{ssh.ECHO: 1, ssh.TTY_OP_ISPEED: 115200, ssh.TTY_OP_OSPEED: 115200}
	if err := sess.RequestPty("xterm", termHeight, termWidth, modes); err != nil {
		return fail("shell", err)
	}
	if err := sess.Shell(); err != nil {
		return fail("shell", err)
	}
	_ = conn.SetDeadline(time.Time{})
	if !stop() {
		// The cancellation closed the connection as the shell opened.
		conn.Close()
		return handshakeError(ctx, addr, timeout, "shell", true, keys, cfg, ctx.Err())
	}
	t.mu.Lock()
	t.conn, t.agent, t.client, t.session, t.w, t.r = conn, agentConn, client, sess, w, r
	t.mu.Unlock()
	return nil
}

// The terminal size requested with the pty: scrapligo's defaults.
const (
	termHeight = 255
	termWidth  = 80
)

// countingConn counts the bytes read, which tells a device that never sent
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

// authMethods are the SSH authentication methods cfg allows: public keys
// (ssh-agent's, then the key file's, in one method: crypto/ssh tries each
// method once), then password and keyboard-interactive answered with the
// password. The agent connection, when any, is returned for closing.
func authMethods(ctx context.Context, cfg switchdrivers.Config) ([]ssh.AuthMethod, net.Conn, error) {
	var signers []ssh.Signer
	if cfg.KeyFile != "" {
		s, err := readKeyFile(cfg.KeyFile)
		if err != nil {
			return nil, nil, err
		}
		signers = append(signers, s)
	}
	var agentConn net.Conn
	var auth []ssh.AuthMethod
	if cfg.Agent {
		sock := os.Getenv("SSH_AUTH_SOCK")
		if sock == "" {
			return nil, nil, cause.New(cause.CredentialsMissing, "sshAgent is set but SSH_AUTH_SOCK is not: start ssh-agent and add the key (ssh-add)")
		}
		var d net.Dialer
		c, err := d.DialContext(ctx, "unix", sock)
		if err != nil {
			return nil, nil, cause.Wrap(cause.CredentialsMissing, err, "cannot reach ssh-agent at %s (SSH_AUTH_SOCK): %s", sock, reason(err))
		}
		agentConn = c
		keyring := agent.NewClient(c)
		auth = append(auth, ssh.PublicKeysCallback(func() ([]ssh.Signer, error) {
			s, err := keyring.Signers()
			return append(s, signers...), err
		}))
	} else if len(signers) > 0 {
		auth = append(auth, ssh.PublicKeys(signers...))
	}
	if !cfg.Password.IsZero() {
		pw := cfg.Password.Reveal()
		auth = append(auth, ssh.Password(pw), ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
			answers := make([]string, len(questions))
			for i := range answers {
				answers[i] = pw
			}
			return answers, nil
		}))
	}
	if len(auth) == 0 {
		return nil, nil, cause.New(cause.CredentialsMissing, "no credentials for user %s: set passwordEnv, passwordFile, sshKeyFile or sshAgent", cfg.Username)
	}
	return auth, agentConn, nil
}

// readKeyFile reads and parses an unencrypted private key file.
func readKeyFile(path string) (ssh.Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, cause.Wrap(cause.CredentialsMissing, err, "cannot read sshKeyFile %s: %s", path, reason(err))
	}
	s, err := ssh.ParsePrivateKey(b)
	var pm *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &pm):
		return nil, cause.Wrap(cause.CredentialsMissing, err, "sshKeyFile %s is protected by a passphrase: add it to ssh-agent (ssh-add) and set sshAgent", path)
	case err != nil:
		return nil, cause.Wrap(cause.CredentialsMissing, err, "sshKeyFile %s is not a private key: %v", path, err)
	}
	return s, nil
}

// dialError is the cause of a failed TCP connect.
func dialError(ctx context.Context, addr string, timeout time.Duration, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = ctxErr
	}
	switch cause.Of(err) {
	case cause.Timeout:
		return cause.Wrap(cause.Timeout, err, "no answer from %s within %v (TCP connect)", addr, round(timeout))
	case cause.Interrupted:
		return cause.Wrap(cause.Interrupted, err, "interrupted while connecting to %s", addr)
	case cause.Unreachable:
		return cause.Classify(err)
	}
	return cause.Wrap(cause.Unreachable, err, "cannot connect to %s: %s", addr, reason(err))
}

// handshakeError is the cause of a failed SSH handshake or shell open:
// stage is "handshake" or "shell", spoke whether the device sent anything.
func handshakeError(ctx context.Context, addr string, timeout time.Duration, stage string, spoke bool, keys *hostKeys, cfg switchdrivers.Config, err error) error {
	if keys.err != nil {
		return keys.err
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = ctxErr
	}
	switch c := cause.Of(err); {
	case c == cause.Interrupted:
		return cause.Wrap(cause.Interrupted, err, "interrupted while connecting to %s", addr)
	case c == cause.Timeout && !spoke:
		return cause.Wrap(cause.Timeout, err, "no SSH banner from %s within %v", addr, round(timeout))
	case c == cause.Timeout && stage == "shell":
		return cause.Wrap(cause.Timeout, err, "no answer from %s within %v opening the shell", addr, round(timeout))
	case c == cause.Timeout:
		return cause.Wrap(cause.Timeout, err, "no answer from %s within %v during the SSH handshake", addr, round(timeout))
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "ssh: unable to authenticate"):
		// crypto/ssh has no type for this; its message is stable.
		if cfg.CredentialSource == "" {
			return cause.Wrap(cause.AuthFailed, err, "authentication failed for user %s at %s", cfg.Username, addr)
		}
		return cause.Wrap(cause.AuthFailed, err, "authentication failed for user %s at %s (%s)", cfg.Username, addr, cfg.CredentialSource)
	case !spoke && closed(err):
		return cause.Wrap(cause.ProtocolError, err, "%s closed the connection before its SSH banner", addr)
	case closed(err):
		return cause.Wrap(cause.ProtocolError, err, "%s closed the connection during the SSH %s", addr, stage)
	case stage == "shell":
		return cause.Wrap(cause.ProtocolError, err, "%s refused a shell: %s", addr, strings.TrimPrefix(msg, "ssh: "))
	}
	return cause.Wrap(cause.ProtocolError, err, "SSH handshake with %s failed: %s", addr, strings.TrimPrefix(msg, "ssh: handshake failed: "))
}

// closed reports whether err is the peer closing or resetting the
// connection.
func closed(err error) bool {
	for _, e := range []error{io.EOF, net.ErrClosed, syscall.ECONNRESET, syscall.EPIPE} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// reason is the innermost message of a system call or path error
// ("connection refused", "no such file or directory").
func reason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err.Error()
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return oe.Err.Error()
	}
	return err.Error()
}

// round shortens a duration derived from a deadline for messages.
func round(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

// Open is scrapligo's open: connect has done the work.
func (t *sshTransport) Open(*transport.Args) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.session == nil {
		return ErrClosed
	}
	return nil
}

// Close ends the session and closes the connection; it is safe to call
// more than once and while a read or write is blocked.
func (t *sshTransport) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var errs []error
	if t.session != nil {
		if err := t.session.Close(); err != nil && !errors.Is(err, io.EOF) {
			errs = append(errs, err)
		}
		t.session = nil
	}
	if t.client != nil {
		if err := t.client.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
		t.client = nil
	}
	if t.conn != nil {
		t.conn.Close()
		t.conn = nil
	}
	if t.agent != nil {
		t.agent.Close()
		t.agent = nil
	}
	return errors.Join(errs...)
}

// IsAlive reports whether the shell is open.
func (t *sshTransport) IsAlive() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.session != nil
}

// Read reads up to n bytes of the shell's output.
func (t *sshTransport) Read(n int) ([]byte, error) {
	b := make([]byte, n)
	n, err := t.r.Read(b)
	if err != nil {
		return nil, err
	}
	return b[:n], nil
}

// Write writes b to the shell.
func (t *sshTransport) Write(b []byte) error {
	_, err := t.w.Write(b)
	return err
}
