package sshcli

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/netalign/netalign/internal/lab/device"
)

// Options configure one simulated switch's SSH frontend.
type Options struct {
	// Username and Password accepted for password authentication.
	Username string
	Password string
	// AuthorizedKeys are accepted for public-key authentication (any user
	// name equal to Username).
	AuthorizedKeys []ssh.PublicKey
	// EnableSecret, when set, makes logins land in unprivileged exec mode
	// (`leaf1>`) and `enable` ask for this secret. When empty, logins land
	// in privileged exec mode (`leaf1#`).
	EnableSecret string
	// NoConfigSessions makes an NX-OS switch a release without Session
	// Manager: `configure session` and `show configuration session` are
	// unknown commands, as on NX-OS platforms that lack the feature.
	NoConfigSessions bool
	// HostKey is the server's host key (see LoadOrCreateHostKey).
	HostKey ssh.Signer
	// Logger receives connection-level events; nil discards them.
	Logger *slog.Logger
}

// Server is the SSH frontend of one simulated switch.
type Server struct {
	dev    *device.Device
	opts   Options
	cfg    *ssh.ServerConfig
	log    *slog.Logger
	shared *shared

	// turns and logins count client round trips and SSH logins (see
	// RoundTrips, Logins).
	turns  atomic.Int64
	logins atomic.Int64
	probes atomic.Int64
	echoes atomic.Int64

	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]struct{}
	closed bool
	done   chan struct{}
	wg     sync.WaitGroup
}

// shared is the CLI state that outlives one connection: EOS configuration
// sessions and NX-OS checkpoints.
type shared struct {
	mu          sync.Mutex
	sessions    map[string]*configSession
	checkpoints map[string]*device.Config
}

// New returns the SSH frontend of dev. The dialect is the device's
// platform: eos or nxos.
func New(dev *device.Device, opts Options) (*Server, error) {
	if dev.Platform() != device.PlatformEOS && dev.Platform() != device.PlatformNXOS {
		return nil, fmt.Errorf("ssh frontend %s: platform %q has no CLI dialect (want eos or nxos)", dev.Name(), dev.Platform())
	}
	if opts.HostKey == nil {
		return nil, fmt.Errorf("ssh frontend %s: no host key", dev.Name())
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		dev:    dev,
		opts:   opts,
		log:    log.With("switch", dev.Name()),
		shared: &shared{sessions: map[string]*configSession{}, checkpoints: map[string]*device.Config{}},
		conns:  map[net.Conn]struct{}{},
		done:   make(chan struct{}),
	}
	cfg := &ssh.ServerConfig{
		PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if s.dev.Faults().AuthFail {
				return nil, errors.New("authentication failed")
			}
			if c.User() == s.opts.Username && s.opts.Password != "" && string(pw) == s.opts.Password {
				return nil, nil
			}
			return nil, errors.New("authentication failed")
		},
		PublicKeyCallback: func(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if s.dev.Faults().AuthFail {
				return nil, errors.New("authentication failed")
			}
			if c.User() != s.opts.Username {
				return nil, errors.New("authentication failed")
			}
			for _, k := range s.opts.AuthorizedKeys {
				if bytes.Equal(k.Marshal(), key.Marshal()) {
					return nil, nil
				}
			}
			return nil, errors.New("authentication failed")
		},
		// EOS and NX-OS both print a banner-less login; keep the server
		// version string close to what an OpenSSH-based switch sends.
		ServerVersion: "SSH-2.0-OpenSSH_8.7",
	}
	cfg.AddHostKey(opts.HostKey)
	s.cfg = cfg
	return s, nil
}

// Device returns the simulated device behind the server.
func (s *Server) Device() *device.Device { return s.dev }

// Listen starts serving on addr (use 127.0.0.1:0 for an ephemeral port)
// and returns the bound address.
func (s *Server) Listen(addr string) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ssh frontend %s: listen: %w", s.dev.Name(), err)
	}
	s.Serve(ln)
	return ln.Addr(), nil
}

// Serve accepts connections on ln until Close.
func (s *Server) Serve(ln net.Listener) {
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !s.track(c) {
				c.Close()
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer s.untrack(c)
				s.handleConn(c)
			}()
		}
	}()
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	c.Close()
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// Close stops the listener, drops every connection and waits for all
// goroutines of the server to end.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	if s.ln != nil {
		s.ln.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.stopCommitTimers()
	s.wg.Wait()
	return nil
}

// sleep waits d or until the server closes; false when closed.
func (s *Server) sleep(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.done:
		return false
	}
}

func (s *Server) handleConn(c net.Conn) {
	f := s.dev.Faults()
	if f.Blackhole {
		// Accept the TCP connection and never say a word.
		<-s.done
		return
	}
	if !s.sleep(f.SlowAccept) {
		return
	}
	sc, chans, reqs, err := ssh.NewServerConn(c, s.cfg)
	if err != nil {
		s.log.Debug("ssh handshake", "remote", c.RemoteAddr().String(), "err", err)
		return
	}
	defer sc.Close()
	s.logins.Add(1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ssh.DiscardRequests(reqs)
	}()
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "only session channels")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer ch.Close()
			s.handleSession(sc, ch, creqs)
		}()
	}
}

// handleSession serves one session channel: pty-req, env and window-change
// are acknowledged, shell starts the CLI, exec runs one command.
func (s *Server) handleSession(sc *ssh.ServerConn, ch ssh.Channel, reqs <-chan *ssh.Request) {
	for req := range reqs {
		switch req.Type {
		case "pty-req", "env", "window-change":
			req.Reply(true, nil)
		case "shell":
			req.Reply(true, nil)
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				for r := range reqs {
					r.Reply(r.Type == "window-change", nil)
				}
			}()
			s.runShell(ch, sc.User())
			ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{0}))
			return
		case "exec":
			var p struct{ Command string }
			if err := ssh.Unmarshal(req.Payload, &p); err != nil {
				req.Reply(false, nil)
				continue
			}
			req.Reply(true, nil)
			status := s.runExec(ch, p.Command)
			ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{status}))
			return
		default:
			req.Reply(false, nil)
		}
	}
}

// LoadOrCreateHostKey reads an OpenSSH ed25519 private key from path, or
// generates one and writes it there (mode 0600) when the file does not
// exist, so a lab keeps its host keys across restarts.
func LoadOrCreateHostKey(path string) (ssh.Signer, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		sg, err := ssh.ParsePrivateKey(b)
		if err != nil {
			return nil, fmt.Errorf("host key %s: %w", path, err)
		}
		return sg, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("host key %s: generate: %w", path, err)
	}
	blk, err := ssh.MarshalPrivateKey(priv, "netalign lab")
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(blk), 0o600); err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	return ssh.NewSignerFromKey(priv)
}

var _ io.Closer = (*Server)(nil)
