package dnsmasq

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/crypto/ssh"

	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/dhcp/internal/dhcptest"
	"github.com/netalign/netalign/internal/access/accesstest"
	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/secret"
	"github.com/netalign/netalign/inventory"
)

// startSSHServer is an SSH server on 127.0.0.1 that runs every exec
// request with /bin/sh on this machine: the remote host of the tests,
// speaking real SSH.
func startSSHServer(t *testing.T, user, password string) *accesstest.Server {
	t.Helper()
	return accesstest.StartServer(t, user, password, func(command string, ch ssh.Channel) uint32 {
		cmd := exec.Command("/bin/sh", "-c", command)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = ch, ch, ch.Stderr()
		if err := cmd.Run(); err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return uint32(ee.ExitCode())
			}
			return 255
		}
		return 0
	})
}

func TestSSHRunner(t *testing.T) {
	srv := startSSHServer(t, "netalign", "pw-ssh")
	t.Setenv("NETALIGN_TEST_SSH_PASS", "pw-ssh")
	ctx := context.Background()
	dir := t.TempDir()
	s, err := New(ctx, inventory.DHCPServer{
		Name: "dm-remote", Kind: Kind,
		Endpoint:    "ssh://netalign@" + srv.Addr + "?knownHosts=" + srv.KnownHosts,
		Credentials: inventory.Credentials{PasswordEnv: "NETALIGN_TEST_SSH_PASS"},
		ConfigPath:  filepath.Join(dir, "it's netalign.conf"), // a quote, to exercise quoting
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := s.(*Server).run

	if _, err := r.ReadFile(ctx, filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile of a missing file: %v, want fs.ErrNotExist", err)
	}
	p := filepath.Join(dir, "a b")
	data := []byte("line one\n'quoted' $HOME\n")
	if err := r.WriteFile(ctx, p, data, 0o640); err != nil {
		t.Fatal(err)
	}
	got, err := r.ReadFile(ctx, p)
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("ReadFile = %q, %v; want %q", got, err, data)
	}
	if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o640 {
		t.Errorf("mode after WriteFile: %v %v, want 0640", st.Mode(), err)
	}
	if err := r.Rename(ctx, p, p+".2"); err != nil {
		t.Fatal(err)
	}
	if err := r.Remove(ctx, p+".2"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p + ".2"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Remove left the file: %v", err)
	}
	out, err := r.Run(ctx, "tr a-z A-Z; echo oops >&2; exit 7", []byte("hello\n"))
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Status != 7 {
		t.Fatalf("Run: %v, want exit status 7", err)
	}
	if !strings.Contains(string(out), "HELLO") || !strings.Contains(string(out), "oops") {
		t.Errorf("Run output %q, want stdout and stderr", out)
	}

}

// TestDriverOverSSH runs the whole driver over SSH: dnsmasq --test runs on
// the "remote" host, the file is written, renamed and read back there.
func TestDriverOverSSH(t *testing.T) {
	dhcptest.RequireBinary(t, "dnsmasq", "dnsmasq")
	srv := startSSHServer(t, "netalign", "pw-ssh")
	t.Setenv("NETALIGN_TEST_SSH_PASS", "pw-ssh")
	ctx := context.Background()
	dir := t.TempDir()
	s, err := New(ctx, inventory.DHCPServer{
		Name: "dm-remote", Kind: Kind,
		Endpoint:       "ssh://netalign@" + srv.Addr + "?knownHosts=" + srv.KnownHosts,
		Credentials:    inventory.Credentials{PasswordEnv: "NETALIGN_TEST_SSH_PASS"},
		ConfigPath:     filepath.Join(dir, "netalign.conf"),
		RestartCommand: "touch " + shellQuote(filepath.Join(dir, "restarted")),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Apply(ctx, creates(samplePools())); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "restarted")); err != nil {
		t.Errorf("restart command did not run over SSH: %v", err)
	}
	pools, err := s.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(samplePools(), pools); diff != "" {
		t.Errorf("Observe over SSH (-want +got):\n%s", diff)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "netalign.conf"))
	bad := samplePools()[0]
	bad.Ranges = []string{"172.16.100.50-172.16.101.60"}
	var ce *CheckError
	if err := s.(*Server).install(ctx, before, Render([]intent.Pool{bad})); !errors.As(err, &ce) {
		t.Errorf("install of an invalid file over SSH: %v, want dnsmasq's rejection", err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "netalign.conf")); string(after) != string(before) {
		t.Errorf("rejected file replaced the old one over SSH")
	}
	if l := leftovers(t, dir); len(l) != 1 || l[0] != "restarted" {
		t.Errorf("files left besides netalign.conf: %v", l)
	}
}

// sshServer opens the driver on an SSH endpoint with a password by
// reference.
func sshServer(t *testing.T, endpoint string) dhcp.Server {
	t.Helper()
	t.Setenv("NETALIGN_TEST_SSH_PASS", "pw-ssh")
	s, err := New(context.Background(), inventory.DHCPServer{
		Name: "dm-remote", Kind: Kind, Endpoint: endpoint,
		Credentials: inventory.Credentials{PasswordEnv: "NETALIGN_TEST_SSH_PASS"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSSHRefusesUnverifiedHostKey(t *testing.T) {
	srv := startSSHServer(t, "netalign", "pw-ssh")
	for _, tc := range []struct {
		name       string
		knownHosts string
		want       cause.Code
	}{
		{"other key", accesstest.KnownHosts(t, srv.Addr, accesstest.OtherKey(t)), cause.HostKeyMismatch},
		{"unknown host", accesstest.KnownHosts(t, "192.0.2.1:22", srv.HostKey), cause.HostKeyUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sshServer(t, "ssh://netalign@"+srv.Addr+"?knownHosts="+tc.knownHosts)
			_, err := s.Observe(context.Background())
			if cause.Of(err) != tc.want || !strings.Contains(err.Error(), ssh.FingerprintSHA256(srv.HostKey)) {
				t.Fatalf("Observe: %s: %v; want %s with the offered fingerprint", cause.Of(err), err, tc.want)
			}
		})
	}
}

func TestSSHCauses(t *testing.T) {
	srv := startSSHServer(t, "netalign", "pw-ssh")
	t.Run("silent port", func(t *testing.T) {
		s := NewWithRunner(inventory.DHCPServer{Name: "dm-remote"}, NewSSH(SSHTarget{
			Addr: accesstest.SilentListener(t), User: "netalign", KnownHosts: srv.KnownHosts,
			Creds: secret.Resolved{Password: secret.New("pw-ssh")}, Timeout: 300 * time.Millisecond,
		}), nil)
		defer s.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_, err := s.Observe(ctx)
		if cause.Of(err) != cause.Timeout || ctx.Err() != nil {
			t.Fatalf("Observe against a silent port: %s: %v; want TIMEOUT before the test's deadline", cause.Of(err), err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		s := sshServer(t, "ssh://other@"+srv.Addr+"?knownHosts="+srv.KnownHosts)
		_, err := s.Observe(context.Background())
		if cause.Of(err) != cause.AuthFailed || !strings.Contains(err.Error(), "$NETALIGN_TEST_SSH_PASS") {
			t.Fatalf("Observe as an unknown user: %s: %v; want AUTH_FAILED naming the password's variable", cause.Of(err), err)
		}
	})
}

func TestParseSSHEndpoint(t *testing.T) {
	tests := []struct {
		in      string
		want    SSHTarget
		wantErr string
	}{
		{in: "ssh://ops@dhcp1:2222?knownHosts=/k", want: SSHTarget{Addr: "dhcp1:2222", User: "ops", KnownHosts: "/k"}},
		{in: "ssh://dhcp1?knownHosts=/k", want: SSHTarget{Addr: "dhcp1:22", User: "cred-user", KnownHosts: "/k"}},
		{in: "ssh://ops:pw@dhcp1", wantErr: "password in the URL"},
		{in: "http://dhcp1", wantErr: "want ssh://"},
	}
	for _, tt := range tests {
		got, err := ParseSSHEndpoint(tt.in, secret.Resolved{Username: "cred-user"})
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(SSHTarget{}, "Creds")); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.in, diff)
		}
	}
}
