package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/netalign/netalign/hostnet"
	"github.com/netalign/netalign/internal/access"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/secret"
	"github.com/netalign/netalign/inventory"
)

// The read-only commands Observe runs, one SSH session each.
const (
	CmdLinks       = "ip -d -j link show"
	CmdBridgeVLANs = "bridge -j vlan show"
	// CmdBonding prints every /proc/net/bonding file after a "==> NAME <=="
	// marker line (the format of `tail -n +1`), nothing when there is none.
	CmdBonding = `for f in /proc/net/bonding/*; do [ -f "$f" ] || continue; printf '==> %s <==\n' "${f##*/}"; cat "$f"; done`
)

// DefaultTimeout bounds the connect and each command when Config sets no
// Timeout.
const DefaultTimeout = 15 * time.Second

// Config says how to reach one host.
type Config struct {
	// Name is the host name reported in the state.
	Name string
	// Address is host or host:port (port 22 unless Port is set).
	Address string
	Port    int
	User    string
	// Creds are the resolved credentials (key file, ssh-agent, password).
	Creds secret.Resolved
	// KnownHosts is the known_hosts file the host key is verified against
	// (default ~/.ssh/known_hosts). There is no way to skip verification.
	KnownHosts string
	// Source says where the credentials come from (secret.Source), for the
	// AUTH_FAILED message.
	Source string
	// Timeout bounds the TCP connect with the SSH handshake, and each
	// command (default DefaultTimeout); the ctx deadline bounds the whole
	// observation.
	Timeout time.Duration
	Logger  *slog.Logger
}

// ConfigFromInventory builds the Config of an inventory host reached over
// SSH, reading its secrets (password, key file, ssh-agent) through
// secret.Resolve.
func ConfigFromInventory(h inventory.Host) (Config, error) {
	c := Config{Name: h.Name, Address: h.Address}
	if h.SSH == nil {
		return c, errors.New("no ssh settings")
	}
	c.Port, c.User, c.KnownHosts = h.SSH.Port, h.SSH.User, h.SSH.KnownHosts
	c.Source = secret.Source(h.SSH.Credentials)
	r, err := secret.Resolve(h.SSH.Credentials)
	if err != nil {
		return c, err
	}
	if r.Username != "" {
		c.User = r.Username
	}
	c.Creds = r
	return c, nil
}

// CommandError is a remote command that exited non-zero.
type CommandError struct {
	Host    string
	Command string
	Status  int
	Stderr  string
}

func (e *CommandError) Error() string {
	return fmt.Sprintf("%q exited %d: %s", e.Command, e.Status, strings.TrimSpace(e.Stderr))
}

// Observe connects to the host over SSH (host key verified against
// known_hosts), runs CmdLinks, CmdBridgeVLANs and CmdBonding (read-only)
// and parses their output into the host's state. The connect, the
// handshake and each command end by cfg.Timeout or the ctx deadline,
// whichever is first.
func Observe(ctx context.Context, cfg Config) (*intent.HostState, error) {
	cl, err := dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer cl.Close()

	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var out [3][]byte
	for i, cmd := range []string{CmdLinks, CmdBridgeVLANs, CmdBonding} {
		var stdout, stderr bytes.Buffer
		err := cl.Run(ctx, cmd, nil, &stdout, &stderr)
		log.Debug("ssh command", "host", cfg.Name, "cmd", cmd, "bytes", stdout.Len(), "err", err)
		var ee *ssh.ExitError
		if errors.As(err, &ee) {
			return nil, &CommandError{Host: cfg.Name, Command: cmd, Status: ee.ExitStatus(), Stderr: stderr.String()}
		}
		if err != nil {
			return nil, err
		}
		out[i] = stdout.Bytes()
	}
	bonding, err := SplitBonding(out[2])
	if err != nil {
		return nil, err
	}
	return hostnet.HostStateFromIproute2(cfg.Name, out[0], out[1], bonding)
}

func dial(ctx context.Context, cfg Config) (*access.Client, error) {
	kh := cfg.KnownHosts
	if kh == "" {
		var err error
		if kh, err = access.DefaultKnownHosts(); err != nil {
			return nil, fmt.Errorf("known_hosts: %w", err)
		}
	}
	addr := cfg.Address
	if _, _, err := net.SplitHostPort(addr); err != nil {
		port := cfg.Port
		if port == 0 {
			port = 22
		}
		addr = net.JoinHostPort(addr, strconv.Itoa(port))
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return access.Dial(ctx, access.Target{Addr: addr, User: cfg.User, Creds: cfg.Creds, KnownHosts: kh, Source: cfg.Source, Timeout: timeout})
}

// SplitBonding splits CmdBonding's output into the text of each bond's
// /proc/net/bonding file, keyed by bond name.
func SplitBonding(b []byte) (map[string][]byte, error) {
	out := map[string][]byte{}
	var name string
	var cur bytes.Buffer
	flush := func() {
		if name != "" {
			out[name] = bytes.Clone(cur.Bytes())
		}
		cur.Reset()
	}
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		s := strings.TrimRight(string(line), "\n")
		if strings.HasPrefix(s, "==> ") && strings.HasSuffix(s, " <==") {
			flush()
			name = filepath.Base(strings.TrimSuffix(strings.TrimPrefix(s, "==> "), " <=="))
			continue
		}
		if name == "" {
			if strings.TrimSpace(s) != "" {
				return nil, fmt.Errorf("bonding output: text before the first marker: %q", s)
			}
			continue
		}
		cur.Write(line)
	}
	flush()
	return out, nil
}
