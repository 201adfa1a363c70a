package clisession_test

import (
	"context"
	"crypto/ed25519"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/netalign/netalign/internal/access/accesstest"
	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/internal/lab/sshcli"
	"github.com/netalign/netalign/internal/secret"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/clisession"
	"github.com/netalign/netalign/switchdrivers/internal/labtest"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestNewName(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		n := clisession.NewName("netalign")
		if !strings.HasPrefix(n, "netalign-") || len(n) != len("netalign-")+8 || seen[n] {
			t.Fatalf("NewName = %q (seen before: %v)", n, seen[n])
		}
		if err := switchdrivers.CheckCLIWord(n); err != nil {
			t.Fatal(err)
		}
		seen[n] = true
	}
}

func TestExecAndRefusal(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformEOS)
	ctx := ctxT(t)
	s, err := clisession.Open(ctx, sw.Config, "arista_eos", nil, clisession.ErrorPrefix)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, err := s.Exec(ctx, "show hostname | json")
	if err != nil || !strings.Contains(out, `"leaf1"`) {
		t.Fatalf("show hostname = %q, %v", out, err)
	}
	// Device errors arrive without a transport error; they must surface.
	_, err = s.Exec(ctx, "show bogus-command")
	var ce *switchdrivers.CommandError
	if !errors.As(err, &ce) || ce.Device != "leaf1" || ce.Command != "show bogus-command" || !strings.HasPrefix(ce.Output, "% ") {
		t.Fatalf("refused command = %v; want a CommandError with the device's message", err)
	}
	// SendLines stops at the first refused line.
	outs, err := s.SendLines(ctx, []string{"configure terminal", "vlan 42", "interface Ethernet99", "vlan 43", "end"})
	if !errors.As(err, &ce) || ce.Command != "interface Ethernet99" || len(outs) != 3 {
		t.Fatalf("SendLines = %d outputs, %v; want to stop at interface Ethernet99", len(outs), err)
	}
	if cfg := sw.Dev.Running(); cfg.VLANs[43] != nil {
		t.Error("a line after the refused one was sent")
	}
	if n := s.Commands(); n != 5 {
		t.Errorf("Commands = %d, want 5 (two execs, three lines)", n)
	}
	if n := s.Commands(); n != 0 {
		t.Errorf("Commands after reset = %d", n)
	}
}

func TestDeadlineAndCancel(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformEOS)
	s, err := clisession.Open(ctxT(t), sw.Config, "arista_eos", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Exec(done, "show version"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Exec on a cancelled context = %v", err)
	}
	if s.Broken() {
		t.Fatal("a context that was done before the call broke the session")
	}
	// A device that never answers: the deadline ends the call and the
	// session is torn down.
	sw.Dev.SetFaults(device.Faults{Latency: time.Hour})
	ctx, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	if _, err := s.Exec(ctx, "show version"); err == nil {
		t.Fatal("Exec outlived its deadline")
	}
	if !s.Broken() {
		t.Error("session still usable after a timed out command")
	}
	if _, err := s.Exec(ctxT(t), "show version"); !errors.Is(err, clisession.ErrClosed) {
		t.Errorf("Exec on a broken session = %v, want ErrClosed", err)
	}
}

func TestOpenRefusals(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformEOS)
	ctx := ctxT(t)
	for _, tt := range []struct {
		name string
		mod  func(*switchdrivers.Config)
		want cause.Code
	}{
		{"wrong password", func(c *switchdrivers.Config) { c.Password = secret.New("nope") }, cause.AuthFailed},
		{"wrong enable secret", func(c *switchdrivers.Config) { c.EnablePassword = secret.New("nope") }, cause.AuthFailed},
		{"missing known_hosts", func(c *switchdrivers.Config) { c.KnownHosts = filepath.Join(t.TempDir(), "none") }, cause.HostKeyUnknown},
		{"no known_hosts", func(c *switchdrivers.Config) { c.KnownHosts = "" }, cause.HostKeyUnknown},
		{"missing key file", func(c *switchdrivers.Config) { c.KeyFile = filepath.Join(t.TempDir(), "id") }, cause.CredentialsMissing},
		{"no credentials", func(c *switchdrivers.Config) { c.Password = secret.Secret{} }, cause.CredentialsMissing},
		{"agent without socket", func(c *switchdrivers.Config) {
			t.Setenv("SSH_AUTH_SOCK", "")
			c.Agent = true
		}, cause.CredentialsMissing},
	} {
		cfg := sw.Config
		tt.mod(&cfg)
		if err := openErr(t, ctx, cfg); cause.Of(err) != tt.want {
			t.Errorf("%s: Open = %v (%s), want %s", tt.name, err, cause.Of(err), tt.want)
		}
	}
	sw.Dev.SetFaults(device.Faults{AuthFail: true})
	wantCause(t, openErr(t, ctx, sw.Config), cause.AuthFailed, "user "+labtest.User)
}

// newKey is an ed25519 key and its public half, as the lab's
// AuthorizedKeys takes it.
func newKey(t *testing.T) (ed25519.PrivateKey, ssh.PublicKey) {
	t.Helper()
	priv := accesstest.NewKey(t)
	pub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return priv, pub
}

func TestKeyFileAuth(t *testing.T) {
	priv, pub := newKey(t)
	sw := labtest.StartWith(t, "leaf1", device.PlatformNXOS, func(o *sshcli.Options) {
		o.AuthorizedKeys, o.Password = []ssh.PublicKey{pub}, ""
	})
	blk, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	kf := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(kf, pem.EncodeToMemory(blk), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := sw.Config
	cfg.Password, cfg.KeyFile = secret.Secret{}, kf
	ctx := ctxT(t)
	s, err := clisession.Open(ctx, cfg, "cisco_nxos", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if out, err := s.Exec(ctx, "show hostname"); err != nil || !strings.Contains(out, "leaf1") {
		t.Fatalf("show hostname = %q, %v", out, err)
	}
}

func TestAgentAuth(t *testing.T) {
	priv, pub := newKey(t)
	sw := labtest.StartWith(t, "leaf1", device.PlatformEOS, func(o *sshcli.Options) {
		o.AuthorizedKeys, o.Password = []ssh.PublicKey{pub}, ""
	})
	accesstest.StartAgent(t, priv) // sets SSH_AUTH_SOCK
	cfg := sw.Config
	cfg.Password, cfg.Agent = secret.Secret{}, true
	ctx := ctxT(t)
	s, err := clisession.Open(ctx, cfg, "arista_eos", nil)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := s.Exec(ctx, "show hostname | json"); err != nil || !strings.Contains(out, "leaf1") {
		t.Fatalf("show hostname = %q, %v", out, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Host keys are verified with agent keys too.
	other := labtest.Start(t, "leaf2", device.PlatformEOS)
	cfg.KnownHosts = other.Config.KnownHosts
	wantCause(t, openErr(t, ctx, cfg), cause.HostKeyUnknown)
}

func TestSendBatch(t *testing.T) {
	sw := labtest.Start(t, "leaf1", device.PlatformEOS)
	ctx := ctxT(t)
	s, err := clisession.Open(ctx, sw.Config, "arista_eos", nil, clisession.ErrorPrefix)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Commands()
	outs, err := s.SendBatch(ctx, []string{"configure session batch1", "vlan 42", "name forty-two", "interface Ethernet1", "description batch", "show session-config diffs"})
	if err != nil {
		t.Fatal(err)
	}
	if n := s.Commands(); n != 1 {
		t.Errorf("batch took %d round trips, want 1", n)
	}
	if len(outs) != 6 || !strings.Contains(outs[5], "+vlan 42") || !strings.Contains(outs[5], "+   description batch") {
		t.Fatalf("outputs = %q", outs)
	}
	for i, o := range outs[:5] {
		if o != "" {
			t.Errorf("line %d printed %q", i, o)
		}
	}
	// A refused line in the middle is found and named; the device ran the
	// rest of the batch, so the CLI is where the batch left it.
	outs, err = s.SendBatch(ctx, []string{"vlan 43", "interface Ethernet99", "vlan 44", "abort"})
	var ce *switchdrivers.CommandError
	if !errors.As(err, &ce) || ce.Command != "interface Ethernet99" || !strings.HasPrefix(ce.Output, "% ") || len(outs) != 4 {
		t.Fatalf("SendBatch = %q, %v", outs, err)
	}
	if _, err := s.Exec(ctx, "show version"); err != nil {
		t.Fatalf("session unusable after the batch: %v", err)
	}
	if cfg := sw.Dev.Running(); cfg.VLANs[42] != nil || cfg.VLANs[43] != nil {
		t.Error("an aborted session reached running-config")
	}
	if _, err := s.SendBatch(ctx, []string{"vlan 1\nreload"}); err == nil {
		t.Error("a line with a line break was sent")
	}
}
