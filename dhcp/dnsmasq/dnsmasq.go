package dnsmasq

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"strings"

	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/secret"
	"github.com/netalign/netalign/inventory"
)

// Kind is the inventory kind this driver serves.
const Kind = "dnsmasq"

// DefaultConfigPath is the file netalign owns when the inventory names none.
const DefaultConfigPath = "/etc/dnsmasq.d/netalign.conf"

// testCommand checks a candidate file on its own. /usr/sbin is added to PATH
// because non-root SSH sessions often lack it.
const testCommand = "PATH=\"$PATH:/usr/sbin:/sbin\" dnsmasq --test --conf-file="

// Register adds the dnsmasq driver to r.
func Register(r *dhcp.Registry) error { return r.Register(Kind, New) }

// Server is a dnsmasq instance whose conf-dir holds netalign's file.
type Server struct {
	path    string
	restart string
	run     Runner
	log     *slog.Logger
}

var _ dhcp.Server = (*Server)(nil)

// New opens the driver for cfg: cfg.Endpoint is "local" (or empty) or
// ssh://user@host[:port][?knownHosts=FILE]; cfg.ConfigPath the owned file
// (default DefaultConfigPath); cfg.RestartCommand the shell command that
// restarts dnsmasq after the file changed (empty: the file is written and
// checked, dnsmasq is not restarted).
func New(ctx context.Context, cfg inventory.DHCPServer, log *slog.Logger) (dhcp.Server, error) {
	var r Runner = Local{}
	if cfg.Endpoint != "" && cfg.Endpoint != "local" {
		creds, err := secret.Resolve(cfg.Credentials)
		if err != nil {
			return nil, err
		}
		t, err := ParseSSHEndpoint(cfg.Endpoint, creds)
		if err != nil {
			return nil, err
		}
		t.Source = secret.Source(cfg.Credentials)
		r = NewSSH(t)
	}
	return NewWithRunner(cfg, r, log), nil
}

// NewWithRunner opens the driver over a given runner.
func NewWithRunner(cfg inventory.DHCPServer, r Runner, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := cfg.ConfigPath
	if p == "" {
		p = DefaultConfigPath
	}
	return &Server{path: p, restart: cfg.RestartCommand, run: r, log: log.With("kind", Kind)}
}

// Observe reads netalign's file back into pools. A missing file is no pools.
func (s *Server) Observe(ctx context.Context) ([]intent.Pool, error) {
	_, pools, err := s.read(ctx)
	if err != nil {
		return nil, fmt.Errorf("observe: %w", err)
	}
	return pools, nil
}

func (s *Server) read(ctx context.Context) ([]byte, []intent.Pool, error) {
	data, err := s.run.ReadFile(ctx, s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", s.path, err)
	}
	pools, err := Parse(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", s.path, err)
	}
	return data, pools, nil
}

// Apply renders the whole file from the current pools and changes, checks
// it with `dnsmasq --test`, renames it over the old file and runs the restart
// command. An invalid file never replaces the current one. When the restart
// fails the previous file is put back and the restart run again.
func (s *Server) Apply(ctx context.Context, changes []intent.PoolChange) error {
	if len(changes) == 0 {
		return nil
	}
	old, cur, err := s.read(ctx)
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	next, err := dhcp.ApplyChanges(cur, changes)
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	for _, p := range next {
		if err := validate(p); err != nil {
			return fmt.Errorf("apply: %w", err)
		}
	}
	if err := s.install(ctx, old, Render(next)); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	s.log.InfoContext(ctx, "pools written", "file", s.path, "changes", len(changes), "pools", len(next))
	return nil
}

// install replaces the owned file with data (old is the current content, nil
// when there is none) and restarts dnsmasq.
func (s *Server) install(ctx context.Context, old, data []byte) error {
	if err := s.place(ctx, data); err != nil {
		return err
	}
	if s.restart == "" {
		return nil
	}
	if _, err := s.run.Run(ctx, s.restart, nil); err != nil {
		rerr := fmt.Errorf("restart: %w", err)
		// Put the previous file back so that dnsmasq runs what it ran before.
		ctx := context.WithoutCancel(ctx)
		var berr error
		if old == nil {
			berr = s.run.Remove(ctx, s.path)
		} else {
			berr = s.place(ctx, old)
		}
		if berr != nil {
			return errors.Join(rerr, fmt.Errorf("restore previous file: %w", berr))
		}
		if _, err := s.run.Run(ctx, s.restart, nil); err != nil {
			return errors.Join(rerr, fmt.Errorf("previous file restored, restart again: %w", err))
		}
		return errors.Join(rerr, errors.New("previous file restored and dnsmasq restarted with it"))
	}
	return nil
}

// place writes data next to the owned file under a dot-name (dnsmasq's
// conf-dir skips dot files), checks it, and renames it over the owned file.
func (s *Server) place(ctx context.Context, data []byte) error {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	tmp := path.Join(path.Dir(s.path), "."+path.Base(s.path)+".new-"+hex.EncodeToString(b))
	if err := s.run.WriteFile(ctx, tmp, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if out, err := s.run.Run(ctx, testCommand+shellQuote(tmp), nil); err != nil {
		_ = s.run.Remove(context.WithoutCancel(ctx), tmp)
		var ee *ExitError
		if errors.As(err, &ee) {
			return &CheckError{File: s.path, Output: strings.TrimSpace(ee.Output)}
		}
		return fmt.Errorf("dnsmasq --test: %w (%s)", err, strings.TrimSpace(string(out)))
	}
	if err := s.run.Rename(ctx, tmp, s.path); err != nil {
		_ = s.run.Remove(context.WithoutCancel(ctx), tmp)
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	return nil
}

// CheckError is a candidate file `dnsmasq --test` rejected; Output is
// dnsmasq's own message. The file in place was not touched.
type CheckError struct {
	File   string
	Output string
}

func (e *CheckError) Error() string {
	return fmt.Sprintf("dnsmasq --test rejected the new %s (left unchanged): %s", e.File, e.Output)
}

// Close releases the runner's connection.
func (s *Server) Close() error { return s.run.Close() }
