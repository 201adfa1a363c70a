package remote

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"

	"github.com/netalign/netalign/hostnet"
	"github.com/netalign/netalign/internal/access/accesstest"
	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/secret"
	"github.com/netalign/netalign/inventory"
)

func testdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sshServer is a loopback SSH server that answers exec requests from a
// table of canned outputs and records the commands it ran.
type sshServer struct {
	*accesstest.Server
	mu  sync.Mutex
	ran []string
}

func newSSHServer(t *testing.T, user, password string, outputs map[string]string) *sshServer {
	t.Helper()
	s := &sshServer{}
	s.Server = accesstest.StartServer(t, user, password, func(cmd string, ch ssh.Channel) uint32 {
		s.mu.Lock()
		s.ran = append(s.ran, cmd)
		s.mu.Unlock()
		out, ok := outputs[cmd]
		if !ok {
			ch.Stderr().Write([]byte("sh: command not found\n"))
			return 127
		}
		ch.Write([]byte(out))
		return 0
	})
	return s
}

func (s *sshServer) commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ran...)
}

func realKernelOutputs(t *testing.T) map[string]string {
	bonding := "==> mgmt-bo <==\n" + string(testdata(t, "proc_net_bonding_mgmt-bo.realkernel-8023ad-bundled.txt")) +
		"==> oob-bo <==\n" + string(testdata(t, "proc_net_bonding_oob-bo.realkernel-active-backup.txt"))
	return map[string]string{
		CmdLinks:       string(testdata(t, "ip_-d_-j_link_show.realkernel-host.json")),
		CmdBridgeVLANs: string(testdata(t, "bridge_-j_vlan_show.realkernel-host.json")),
		CmdBonding:     bonding,
	}
}

func TestObserveOverSSH(t *testing.T) {
	srv := newSSHServer(t, "ops", "s3cret", realKernelOutputs(t))
	cfg := Config{Name: "harvester-0", Address: srv.Addr, User: "ops", Creds: secret.Resolved{Password: secret.New("s3cret")},
		KnownHosts: srv.KnownHosts, Timeout: 5 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := Observe(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want, err := hostnet.HostStateFromIproute2("harvester-0", testdata(t, "ip_-d_-j_link_show.realkernel-host.json"),
		testdata(t, "bridge_-j_vlan_show.realkernel-host.json"), map[string][]byte{
			"mgmt-bo": testdata(t, "proc_net_bonding_mgmt-bo.realkernel-8023ad-bundled.txt"),
			"oob-bo":  testdata(t, "proc_net_bonding_oob-bo.realkernel-active-backup.txt"),
		})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
	if s := got.Link("va1").BondSlave; s.PartnerMAC != "06:56:79:16:6d:72" || !s.Bundled() {
		t.Errorf("va1 slave %+v, want bundled with partner 06:56:79:16:6d:72", s)
	}
	if diff := cmp.Diff([]string{CmdLinks, CmdBridgeVLANs, CmdBonding}, srv.commands()); diff != "" {
		t.Errorf("commands run (-want +got):\n%s", diff)
	}
}

func TestObserveRejectsOtherHostKey(t *testing.T) {
	srv := newSSHServer(t, "ops", "pw", realKernelOutputs(t))
	cfg := Config{Name: "h", Address: srv.Addr, User: "ops", Creds: secret.Resolved{Password: secret.New("pw")},
		KnownHosts: accesstest.KnownHosts(t, srv.Addr, accesstest.OtherKey(t)), Timeout: 5 * time.Second}
	_, err := Observe(context.Background(), cfg)
	if cause.Of(err) != cause.HostKeyMismatch || !strings.Contains(err.Error(), ssh.FingerprintSHA256(srv.HostKey)) {
		t.Fatalf("%s: %v; want HOST_KEY_MISMATCH with the offered fingerprint", cause.Of(err), err)
	}
	if ran := srv.commands(); len(ran) != 0 {
		t.Errorf("commands ran on an unverified host: %q", ran)
	}
}

func TestObserveSilentPort(t *testing.T) {
	cfg := Config{Name: "h", Address: accesstest.SilentListener(t), User: "ops", Creds: secret.Resolved{Password: secret.New("pw")},
		KnownHosts: filepath.Join(t.TempDir(), "known_hosts"), Timeout: 300 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := Observe(ctx, cfg)
	if cause.Of(err) != cause.Timeout || ctx.Err() != nil {
		t.Fatalf("%s: %v; want TIMEOUT before the test's deadline", cause.Of(err), err)
	}
}

func TestConfigFromInventory(t *testing.T) {
	t.Setenv("HOST_PASS", "host-secret")
	cfg, err := ConfigFromInventory(inventory.Host{Name: "h", Address: "192.0.2.101", SSH: &inventory.SSHAccess{
		User: "ops", Credentials: inventory.Credentials{PasswordEnv: "HOST_PASS"}}})
	if err != nil || cfg.User != "ops" || cfg.Creds.Password.Reveal() != "host-secret" || !strings.Contains(cfg.Source, "$HOST_PASS") {
		t.Errorf("ConfigFromInventory = %+v, %v", cfg, err)
	}
	_, err = ConfigFromInventory(inventory.Host{Name: "h", SSH: &inventory.SSHAccess{User: "ops", Credentials: inventory.Credentials{PasswordEnv: "UNSET_HOST_PASS"}}})
	if cause.Of(err) != cause.CredentialsMissing || strings.Contains(err.Error(), "host h") {
		t.Errorf("unset variable: %s: %v; want CREDENTIALS_MISSING without the host's name", cause.Of(err), err)
	}
}

func TestObserveCommandFails(t *testing.T) {
	out := realKernelOutputs(t)
	delete(out, CmdBridgeVLANs)
	srv := newSSHServer(t, "ops", "pw", out)
	cfg := Config{Name: "h", Address: srv.Addr, User: "ops", Creds: secret.Resolved{Password: secret.New("pw")},
		KnownHosts: srv.KnownHosts, Timeout: 5 * time.Second}
	_, err := Observe(context.Background(), cfg)
	var ce *CommandError
	if !errors.As(err, &ce) || ce.Status != 127 || ce.Command != CmdBridgeVLANs || !strings.Contains(ce.Stderr, "not found") {
		t.Fatalf("err %v, want a CommandError for %q with status 127", err, CmdBridgeVLANs)
	}
}

func TestSplitBonding(t *testing.T) {
	got, err := SplitBonding([]byte("==> a-bo <==\nline1\nline2\n==> b-bo <==\nx\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{"a-bo": []byte("line1\nline2\n"), "b-bo": []byte("x\n")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got, err := SplitBonding(nil); err != nil || len(got) != 0 {
		t.Errorf("empty: %v %v", got, err)
	}
	if _, err := SplitBonding([]byte("garbage\n")); err == nil {
		t.Error("text before a marker: want error")
	}
}
