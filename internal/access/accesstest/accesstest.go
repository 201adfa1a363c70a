// Package accesstest is test support for network clients: a loopback SSH
// server that hands each exec request to the test, its known_hosts file, a
// listener that accepts connections and never speaks, and a check that a
// call returns.
package accesstest

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
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
// password log in, every exec request goes to exec.
func StartServer(t testing.TB, user, password string, exec Exec) *Server {
	t.Helper()
	signer := newSigner(t)
	cfg := &ssh.ServerConfig{PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
		if c.User() == user && string(pw) == password {
			return nil, nil
		}
		return nil, errors.New("denied")
	}}
	cfg.AddHostKey(signer)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c, cfg, exec)
		}
	}()
	addr := ln.Addr().String()
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
func OtherKey(t testing.TB) ssh.PublicKey { return newSigner(t).PublicKey() }

func newSigner(t testing.TB) ssh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return signer
}

// SilentListener accepts TCP connections on 127.0.0.1 and never writes to
// them, until the test ends. It returns host:port.
func SilentListener(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		close(done)
		ln.Close()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				<-done
				c.Close()
			}()
		}
	}()
	return ln.Addr().String()
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
