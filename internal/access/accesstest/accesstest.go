// Package accesstest is test support for network clients: a loopback SSH
// server that hands each exec request to the test, an ssh-agent, host and
// user keys, known_hosts files, a listener that hands each connection to
// the test (one that never speaks, one that hangs up), a port where nothing
// listens, a check that a call returns, and one of the cause a failure
// carries.
package accesstest

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/netalign/netalign/internal/cause"
)

// Exec runs one exec request: cmd with ch as its stdin and stdout
// (ch.Stderr() for stderr), returning the exit status.
type Exec func(cmd string, ch ssh.Channel) uint32

// Server is a loopback SSH server accepting one user and password.
type Server struct {
	// Addr is host:port.
	Addr    string
	HostKey ssh.PublicKey
	// KnownHosts is a known_hosts file holding HostKey for Addr.
	KnownHosts string
}

// StartServer serves SSH on 127.0.0.1 until the test ends: user and
// password log in, every exec request goes to exec. The server offers an
// ed25519 host key (HostKey, the one in KnownHosts) and otherHostKeys too,
// as OpenSSH offers a key of each type.
func StartServer(t testing.TB, user, password string, exec Exec, otherHostKeys ...ssh.Signer) *Server {
	t.Helper()
	signer := NewSigner(t)
	cfg := &ssh.ServerConfig{PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
		if c.User() == user && string(pw) == password {
			return nil, nil
		}
		return nil, errors.New("denied")
	}}
	cfg.AddHostKey(signer)
	for _, k := range otherHostKeys {
		cfg.AddHostKey(k)
	}
	addr := Listen(t, func(c net.Conn) { go serve(c, cfg, exec) })
	return &Server{Addr: addr, HostKey: signer.PublicKey(), KnownHosts: KnownHosts(t, addr, signer.PublicKey())}
}

func serve(c net.Conn, cfg *ssh.ServerConfig, exec Exec) {
	defer c.Close()
	sc, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	defer sc.Close()
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "session only")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		go func() {
			defer ch.Close()
			for req := range creqs {
				var p struct{ Command string }
				if req.Type != "exec" || ssh.Unmarshal(req.Payload, &p) != nil {
					_ = req.Reply(false, nil)
					continue
				}
				_ = req.Reply(true, nil)
				status := exec(p.Command, ch)
				_ = ch.CloseWrite()
				_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{status}))
				return
			}
		}()
	}
}

// KnownHosts writes a known_hosts file holding key for addr.
func KnownHosts(t testing.TB, addr string, key ssh.PublicKey) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(addr)}, key) + "\n"
	if err := os.WriteFile(p, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// OtherKey is a fresh host key no server uses.
func OtherKey(t testing.TB) ssh.PublicKey { return NewSigner(t).PublicKey() }

// NewKey is a fresh ed25519 private key, for a host, a user or an agent.
func NewKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

// NewSigner is a fresh ed25519 key as an ssh.Signer.
func NewSigner(t testing.TB) ssh.Signer {
	t.Helper()
	return signerFrom(t, NewKey(t))
}

// NewECDSASigner is a fresh ecdsa-sha2-nistp256 key: the host key type
// crypto/ssh prefers to ed25519.
func NewECDSASigner(t testing.TB) ssh.Signer {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signerFrom(t, priv)
}

func signerFrom(t testing.TB, priv any) ssh.Signer {
	t.Helper()
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return signer
}

// Listen accepts TCP connections on 127.0.0.1 and hands each to serve
// (which must not block) until the test ends, when the listener and every
// connection are closed. It returns host:port.
func Listen(t testing.TB, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		done  bool
	)
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		done = true
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			if done {
				c.Close()
			} else {
				conns = append(conns, c)
			}
			mu.Unlock()
			serve(c)
		}
	}()
	return ln.Addr().String()
}

// SilentListener accepts TCP connections on 127.0.0.1 and never writes to
// them, until the test ends. It returns host:port.
func SilentListener(t testing.TB) string {
	t.Helper()
	return Listen(t, func(net.Conn) {})
}

// HangUpListener accepts TCP connections on 127.0.0.1 and closes each at
// once, until the test ends. It returns host:port.
func HangUpListener(t testing.TB) string {
	t.Helper()
	return Listen(t, func(c net.Conn) { c.Close() })
}

// ClosedPort is host:port on 127.0.0.1 where nothing listens: a connect is
// refused.
func ClosedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// Agent is an ssh-agent serving on a unix socket until the test ends.
type Agent struct {
	// Sock is the socket's path, for SSH_AUTH_SOCK.
	Sock string
	// Ended receives once for each client connection that ended.
	Ended <-chan struct{}
}

// StartAgent serves an ssh-agent holding keys (private keys, as
// agent.AddedKey takes them) and points SSH_AUTH_SOCK at it for the test.
func StartAgent(t testing.TB, keys ...any) *Agent {
	t.Helper()
	keyring := agent.NewKeyring()
	for _, k := range keys {
		if err := keyring.Add(agent.AddedKey{PrivateKey: k}); err != nil {
			t.Fatal(err)
		}
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ended := make(chan struct{}, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				_ = agent.ServeAgent(keyring, c)
				c.Close()
				select {
				case ended <- struct{}{}:
				default:
				}
			}()
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)
	return &Agent{Sock: sock, Ended: ended}
}

// Returns runs f and fails the test when f has not returned after a
// generous 20 seconds: the bounds under test are far shorter, so this
// proves the call is bounded without timing it.
func Returns(t testing.TB, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("the call did not return")
		return nil
	}
}

// WantCause fails t unless err has cause code and its message is one line
// containing every part of want.
func WantCause(t testing.TB, err error, code cause.Code, want ...string) {
	t.Helper()
	if got := cause.Of(err); got != code {
		t.Fatalf("cause of %v = %s, want %s", err, got, code)
	}
	msg := err.Error()
	t.Logf("%s: %s", code, msg)
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("message spans lines: %q", msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q does not contain %q", msg, w)
		}
	}
}
