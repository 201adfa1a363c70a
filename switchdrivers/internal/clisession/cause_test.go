package clisession_test

import (
	"context"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/netalign/netalign/internal/access/accesstest"
	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/internal/secret"
	"github.com/netalign/netalign/inventory"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/clisession"
	"github.com/netalign/netalign/switchdrivers/internal/labtest"
)

// openErr opens a session to cfg and returns the error, failing t when
// Open does not return (the bound only keeps a hang from stalling the
// suite).
func openErr(t *testing.T, ctx context.Context, cfg switchdrivers.Config) error {
	t.Helper()
	return accesstest.Returns(t, func() error {
		s, err := clisession.Open(ctx, cfg, "arista_eos", nil)
		if err == nil {
			s.Close()
		}
		return err
	})
}

// wantCause fails t unless err has cause code and its message is one line
// containing every part of want.
var wantCause = accesstest.WantCause

// rawConfig is the configuration of a device at addr (ip:port), which the
// test serves.
func rawConfig(addr string) switchdrivers.Config {
	ap := netip.MustParseAddrPort(addr)
	return switchdrivers.Config{Name: "leaf1", Platform: "eos", Host: ap.Addr().String(), Port: int(ap.Port()), Username: labtest.User,
		Password: secret.New(labtest.Pass), Insecure: true, Timeout: 300 * time.Millisecond}
}

// A device that accepts the connection and never speaks: the timeout ends
// Open, and so does a cancellation.
func TestOpenSilentListener(t *testing.T) {
	cfg := rawConfig(accesstest.SilentListener(t))
	err := openErr(t, context.Background(), cfg)
	wantCause(t, err, cause.Timeout, "no SSH banner from 127.0.0.1:"+strconv.Itoa(cfg.Port), "within 300ms")

	cfg.Timeout = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	wantCause(t, openErr(t, ctx, cfg), cause.Interrupted)
}

func TestOpenListenerClosesAtOnce(t *testing.T) {
	cfg := rawConfig(accesstest.HangUpListener(t))
	wantCause(t, openErr(t, context.Background(), cfg), cause.ProtocolError, "closed the connection before its SSH banner")
}

func TestOpenRefusedPort(t *testing.T) {
	addr := accesstest.ClosedPort(t)
	wantCause(t, openErr(t, context.Background(), rawConfig(addr)), cause.Unreachable, "cannot connect to "+addr, "connection refused")
}

// The lab's faults: a device that accepts and never speaks, one slow to
// start the handshake, one that stops answering once the shell is open.
func TestOpenLabFaultsTimeOut(t *testing.T) {
	for _, tt := range []struct {
		name   string
		faults device.Faults
		want   string
	}{
		{"blackhole", device.Faults{Blackhole: true}, "no SSH banner"},
		{"slow-accept", device.Faults{SlowAccept: time.Hour}, "no SSH banner"},
		{"latency", device.Faults{Latency: time.Hour}, "no CLI prompt"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sw := labtest.Start(t, "leaf1", device.PlatformEOS)
			sw.Dev.SetFaults(tt.faults)
			cfg := sw.Config
			cfg.Timeout = 300 * time.Millisecond
			wantCause(t, openErr(t, context.Background(), cfg), cause.Timeout, tt.want, "within 300ms")
		})
	}
}

func TestOpenWrongPassword(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformEOS)
	cfg := sw.Config
	cfg.Password = secret.New("wrong-horse")
	cfg.CredentialSource = secret.Source(inventory.Credentials{PasswordEnv: "LAB_SW_PASS"})
	err := openErr(t, ctxT(t), cfg)
	wantCause(t, err, cause.AuthFailed, "user "+labtest.User, "$LAB_SW_PASS (passwordEnv)")
	if strings.Contains(err.Error(), "wrong-horse") {
		t.Errorf("the message shows the password: %q", err)
	}
}

func TestOpenHostKeys(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformEOS)
	addr := net.JoinHostPort(sw.Config.Host, strconv.Itoa(sw.Config.Port))
	fp := ssh.FingerprintSHA256(sw.HostKey.PublicKey())
	dir := t.TempDir()
	cfg := sw.Config

	cfg.KnownHosts = filepath.Join(dir, "empty")
	if err := os.WriteFile(cfg.KnownHosts, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	wantCause(t, openErr(t, ctxT(t), cfg), cause.HostKeyUnknown, fp, cfg.KnownHosts,
		"ssh-keyscan -p "+strconv.Itoa(sw.Config.Port)+" 127.0.0.1 >> "+cfg.KnownHosts)

	cfg.KnownHosts = filepath.Join(dir, "missing")
	wantCause(t, openErr(t, ctxT(t), cfg), cause.HostKeyUnknown, fp, cfg.KnownHosts, "does not exist")

	other := accesstest.OtherKey(t)
	cfg.KnownHosts = accesstest.KnownHosts(t, addr, other)
	wantCause(t, openErr(t, ctxT(t), cfg), cause.HostKeyMismatch, fp, cfg.KnownHosts+":1", ssh.FingerprintSHA256(other), "ssh-keygen -R")

	cfg.KnownHosts = ""
	wantCause(t, openErr(t, ctxT(t), cfg), cause.HostKeyUnknown, "knownHosts")
}

// The lab serves an NX-OS device where the inventory says eos.
func TestOpenOtherPlatform(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformNXOS)
	cfg := sw.Config
	cfg.Platform = "eos"
	wantCause(t, openErr(t, ctxT(t), cfg), cause.PlatformMismatch, "does not answer as eos", "show version | json")
}

// A device that stops answering after login: the command's deadline is
// TIMEOUT, a dropped connection PROTOCOL_ERROR and ErrConnectionLost.
func TestExecCauses(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformEOS)
	s, err := clisession.Open(ctxT(t), sw.Config, "arista_eos", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sw.Dev.SetFaults(device.Faults{Latency: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = s.Exec(ctx, "show version")
	wantCause(t, err, cause.Timeout, "no reply from")
}

// A device that logs in and prints a prompt that is not the platform's (a
// Linux shell where the inventory says eos).
func TestOpenForeignPrompt(t *testing.T) {
	srv := &ssh.ServerConfig{PasswordCallback: func(ssh.ConnMetadata, []byte) (*ssh.Permissions, error) { return nil, nil }}
	srv.AddHostKey(accesstest.NewSigner(t))
	cfg := rawConfig(accesstest.Listen(t, func(c net.Conn) {
		go func() {
			_, chans, reqs, err := ssh.NewServerConn(c, srv)
			if err != nil {
				return
			}
			go ssh.DiscardRequests(reqs)
			for nc := range chans {
				ch, creqs, err := nc.Accept()
				if err != nil {
					return
				}
				go func() {
					for r := range creqs {
						r.Reply(true, nil)
						if r.Type == "shell" {
							ch.Write([]byte("Welcome to Debian\r\nops@box:~$ "))
						}
					}
				}()
			}
		}()
	}))
	cfg.Timeout = time.Second
	wantCause(t, openErr(t, context.Background(), cfg), cause.PlatformMismatch, "does not answer as eos", "ops@box:~$")
}
