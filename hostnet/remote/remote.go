package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/netalign/netalign/hostnet"
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

// Config says how to reach one host.
type Config struct {
	// Name is the host name reported in the state.
	Name string
	// Address is host or host:port (port 22 unless Port is set).
	Address string
	Port    int
	User    string
	// Auth are the client authentication methods, tried in order.
	Auth []ssh.AuthMethod
	// KnownHosts is the known_hosts file the host key is verified against
	// (default ~/.ssh/known_hosts). There is no way to skip verification.
	KnownHosts string
	// Timeout bounds the TCP connect and SSH handshake (default 15 s); the
	// ctx deadline bounds the whole observation.
	Timeout time.Duration
	Logger  *slog.Logger
}

// ConfigFromInventory builds the Config of an inventory host reached over
// SSH, reading its secrets (password, key file, ssh-agent) through
// secret.Resolve.
func ConfigFromInventory(h inventory.Host) (Config, error) {
	c := Config{Name: h.Name, Address: h.Address}
	if h.SSH == nil {
		return c, fmt.Errorf("host %s: no ssh settings", h.Name)
	}
	c.Port, c.User, c.KnownHosts = h.SSH.Port, h.SSH.User, h.SSH.KnownHosts
	r, err := secret.Resolve(h.SSH.Credentials)
	if err != nil {
		return c, fmt.Errorf("host %s: %w", h.Name, err)
	}
	if r.Username != "" {
		c.User = r.Username
	}
	if r.KeyFile != "" {
		b, err := os.ReadFile(r.KeyFile)
		if err != nil {
			return c, fmt.Errorf("host %s: ssh key: %w", h.Name, err)
		}
		signer, err := ssh.ParsePrivateKey(b)
		if err != nil {
			return c, fmt.Errorf("host %s: ssh key %s: %w", h.Name, r.KeyFile, err)
		}
		c.Auth = append(c.Auth, ssh.PublicKeys(signer))
	}
	if r.Agent {
		sock := os.Getenv("SSH_AUTH_SOCK")
		if sock == "" {
			return c, fmt.Errorf("host %s: sshAgent is set but SSH_AUTH_SOCK is not", h.Name)
		}
		c.Auth = append(c.Auth, ssh.PublicKeysCallback(func() ([]ssh.Signer, error) {
			conn, err := net.Dial("unix", sock)
			if err != nil {
				return nil, fmt.Errorf("ssh-agent: %w", err)
			}
			return agent.NewClient(conn).Signers()
		}))
	}
	if !r.Password.IsZero() {
		pw := r.Password
		c.Auth = append(c.Auth, ssh.Password(pw.Reveal()))
	}
	if len(c.Auth) == 0 {
		return c, fmt.Errorf("host %s: no ssh credentials (sshKeyFile, sshAgent or a password)", h.Name)
	}
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
	return fmt.Sprintf("host %s: %q exited %d: %s", e.Host, e.Command, e.Status, strings.TrimSpace(e.Stderr))
}

// Observe connects to the host over SSH (host key verified against
// known_hosts), runs CmdLinks, CmdBridgeVLANs and CmdBonding (read-only)
// and parses their output into the host's state.
func Observe(ctx context.Context, cfg Config) (*intent.HostState, error) {
	cl, err := dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	stop := context.AfterFunc(ctx, func() { cl.Close() })
	defer stop()

	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var out [3][]byte
	for i, cmd := range []string{CmdLinks, CmdBridgeVLANs, CmdBonding} {
		out[i], err = run(cl, cfg.Name, cmd)
		log.Debug("ssh command", "host", cfg.Name, "cmd", cmd, "bytes", len(out[i]), "err", err)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("host %s: observe: %w", cfg.Name, ctx.Err())
			}
			return nil, err
		}
	}
	bonding, err := SplitBonding(out[2])
	if err != nil {
		return nil, fmt.Errorf("host %s: %w", cfg.Name, err)
	}
	st, err := hostnet.HostStateFromIproute2(cfg.Name, out[0], out[1], bonding)
	if err != nil {
		return nil, fmt.Errorf("host %s: %w", cfg.Name, err)
	}
	return st, nil
}

func dial(ctx context.Context, cfg Config) (*ssh.Client, error) {
	kh := cfg.KnownHosts
	if kh == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("host %s: known_hosts: %w", cfg.Name, err)
		}
		kh = filepath.Join(home, ".ssh", "known_hosts")
	}
	verify, err := knownhosts.New(kh)
	if err != nil {
		return nil, fmt.Errorf("host %s: known_hosts %s: %w", cfg.Name, kh, err)
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
		timeout = 15 * time.Second
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = time.Until(dl)
	}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("host %s: dial %s: %w", cfg.Name, addr, err)
	}
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		conn.Close()
		return nil, fmt.Errorf("host %s: %w", cfg.Name, err)
	}
	cc, chans, reqs, err := ssh.NewClientConn(conn, addr, &ssh.ClientConfig{
		User: cfg.User, Auth: cfg.Auth, HostKeyCallback: verify, Timeout: timeout,
	})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("host %s: ssh handshake: %w", cfg.Name, err)
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		cc.Close()
		return nil, fmt.Errorf("host %s: %w", cfg.Name, err)
	}
	return ssh.NewClient(cc, chans, reqs), nil
}

// run runs one command in its own session and returns its stdout.
func run(cl *ssh.Client, host, cmd string) ([]byte, error) {
	s, err := cl.NewSession()
	if err != nil {
		return nil, fmt.Errorf("host %s: ssh session: %w", host, err)
	}
	defer s.Close()
	var stdout, stderr bytes.Buffer
	s.Stdout, s.Stderr = &stdout, &stderr
	if err := s.Run(cmd); err != nil {
		var ee *ssh.ExitError
		if errors.As(err, &ee) {
			return nil, &CommandError{Host: host, Command: cmd, Status: ee.ExitStatus(), Stderr: stderr.String()}
		}
		return nil, fmt.Errorf("host %s: run %q: %w", host, cmd, err)
	}
	return stdout.Bytes(), nil
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
