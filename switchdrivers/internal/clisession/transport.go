package clisession

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/scrapli/scrapligo/transport"
	"golang.org/x/crypto/ssh"

	"github.com/netalign/netalign/internal/access"
	"github.com/netalign/netalign/internal/secret"
	"github.com/netalign/netalign/switchdrivers"
)

// sshTransport is the transport under scrapligo for every device: an
// access.Client with a shell on it. scrapligo's standard transport calls
// ssh.Dial, whose timeout covers the TCP connect only: a device that
// accepts and never speaks would hold Open forever. access.Dial bounds the
// connect and the handshake and reports their causes; the session, pty and
// shell open under the same deadline, and a cancelled context closes the
// connection at any stage. scrapligo's Open then finds the shell open, and
// reads and writes it through Read and Write.
type sshTransport struct {
	mu      sync.Mutex
	client  *access.Client
	session *ssh.Session
	w       io.WriteCloser
	r       io.Reader
}

// connect dials cfg's device at addr and opens a shell on it within
// timeout, authenticating with whatever cfg holds (password and
// keyboard-interactive, key file, ssh-agent) and verifying the host key
// against cfg.KnownHosts unless cfg.Insecure. Failures are *cause.Error.
func (t *sshTransport) connect(ctx context.Context, cfg switchdrivers.Config, addr string, timeout time.Duration) error {
	c, err := access.Dial(ctx, access.Target{
		Addr: addr, User: cfg.Username,
		Creds:  secret.Resolved{Password: cfg.Password, KeyFile: cfg.KeyFile, Agent: cfg.Agent},
		Source: cfg.CredentialSource, KnownHosts: cfg.KnownHosts, Insecure: cfg.Insecure, Timeout: timeout,
	})
	if err != nil {
		return err
	}
	var (
		sess *ssh.Session
		w    io.WriteCloser
		r    io.Reader
	)
	err = c.Do(ctx, "opening the shell", func(cl *ssh.Client) error {
		var err error
		if sess, err = cl.NewSession(); err != nil {
			return err
		}
		if w, err = sess.StdinPipe(); err != nil {
			return err
		}
		if r, err = sess.StdoutPipe(); err != nil {
			return err
		}
		modes := ssh.TerminalModes{ssh.ECHO: 1, ssh.TTY_OP_ISPEED: 115200, ssh.TTY_OP_OSPEED: 115200}
		if err := sess.RequestPty("xterm", termHeight, termWidth, modes); err != nil {
			return err
		}
		return sess.Shell()
	})
	if err != nil {
		c.Close()
		return err
	}
	t.mu.Lock()
	t.client, t.session, t.w, t.r = c, sess, w, r
	t.mu.Unlock()
	return nil
}

// The terminal size requested with the pty: scrapligo's defaults.
const (
	termHeight = 255
	termWidth  = 80
)

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
		if err := t.client.Close(); err != nil {
			errs = append(errs, err)
		}
		t.client = nil
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
