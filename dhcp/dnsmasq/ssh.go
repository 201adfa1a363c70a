package dnsmasq

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"strconv"
	"sync"

	"golang.org/x/crypto/ssh"

	"github.com/netalign/netalign/internal/access"
	"github.com/netalign/netalign/internal/secret"
)

// SSHTarget says where and as whom to connect: Addr, User, Creds, Source
// for the AUTH_FAILED message, KnownHosts (default ~/.ssh/known_hosts; host
// keys are always verified) and Timeout, which bounds the connect and each
// command (default access.DefaultTimeout; a shorter ctx deadline wins).
type SSHTarget = access.Target

// ParseSSHEndpoint reads ssh://user@host[:port][?knownHosts=/path]. The user
// in the URL wins over the credentials' username.
func ParseSSHEndpoint(endpoint string, creds secret.Resolved) (SSHTarget, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "ssh" || u.Hostname() == "" {
		return SSHTarget{}, fmt.Errorf("endpoint %q: want ssh://user@host[:port]", endpoint)
	}
	if _, hasPass := u.User.Password(); hasPass {
		return SSHTarget{}, fmt.Errorf("endpoint %q: a password in the URL is not allowed; use credentials", u.Redacted())
	}
	port := u.Port()
	if port == "" {
		port = "22"
	}
	t := SSHTarget{Addr: net.JoinHostPort(u.Hostname(), port), User: creds.Username, Creds: creds, KnownHosts: u.Query().Get("knownHosts")}
	if u.User != nil && u.User.Username() != "" {
		t.User = u.User.Username()
	}
	if t.User == "" {
		return SSHTarget{}, fmt.Errorf("endpoint %q: no user (in the URL or the credentials)", endpoint)
	}
	if t.KnownHosts == "" {
		if t.KnownHosts, err = access.DefaultKnownHosts(); err != nil {
			return SSHTarget{}, fmt.Errorf("known_hosts: %w", err)
		}
	}
	return t, nil
}

// SSH runs commands on a remote host. It connects on first use and keeps
// the connection until Close, or until a command's deadline or cancel
// closed it (the next command connects again).
type SSH struct {
	target SSHTarget

	mu     sync.Mutex
	client *access.Client
}

var _ Runner = (*SSH)(nil)

// NewSSH returns a runner for target; no connection is made yet.
func NewSSH(target SSHTarget) *SSH { return &SSH{target: target} }

func (s *SSH) conn(ctx context.Context) (*access.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil && !s.client.Broken() {
		return s.client, nil
	}
	if s.client != nil {
		s.client.Close()
		s.client = nil
	}
	var err error
	s.client, err = access.Dial(ctx, s.target)
	return s.client, err
}

// Run implements Runner.
func (s *SSH) Run(ctx context.Context, cmd string, stdin []byte) ([]byte, error) {
	cl, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	// stdout and stderr are copied by two goroutines: share one buffer only
	// through a locked Write (bytes.Buffer's ReadFrom is not safe for that).
	var out lockedBuffer
	err = cl.Run(ctx, cmd, bytes.NewReader(stdin), &out, &out)
	var ee *ssh.ExitError
	if errors.As(err, &ee) {
		return out.Bytes(), &ExitError{Cmd: cmd, Status: ee.ExitStatus(), Output: string(out.Bytes())}
	}
	return out.Bytes(), err
}

// lockedBuffer is a buffer with only a Write method, safe for concurrent use.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Bytes()
}

// notExistStatus is the exit status ReadFile's script uses for a missing file.
const notExistStatus = 66

// ReadFile implements Runner.
func (s *SSH) ReadFile(ctx context.Context, path string) ([]byte, error) {
	q := shellQuote(path)
	out, err := s.Run(ctx, "test -e "+q+" || exit "+strconv.Itoa(notExistStatus)+"; exec cat -- "+q, nil)
	var ee *ExitError
	if errors.As(err, &ee) && ee.Status == notExistStatus {
		return nil, fs.ErrNotExist
	}
	return out, err
}

// WriteFile implements Runner.
func (s *SSH) WriteFile(ctx context.Context, path string, data []byte, perm fs.FileMode) error {
	q := shellQuote(path)
	_, err := s.Run(ctx, fmt.Sprintf("cat > %s && chmod %o %s && sync %s", q, perm.Perm(), q, q), data)
	return err
}

// Rename implements Runner.
func (s *SSH) Rename(ctx context.Context, from, to string) error {
	_, err := s.Run(ctx, "mv -f -- "+shellQuote(from)+" "+shellQuote(to), nil)
	return err
}

// Remove implements Runner.
func (s *SSH) Remove(ctx context.Context, path string) error {
	_, err := s.Run(ctx, "rm -f -- "+shellQuote(path), nil)
	return err
}

// Close implements Runner.
func (s *SSH) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == nil {
		return nil
	}
	err := s.client.Close()
	s.client = nil
	return err
}
