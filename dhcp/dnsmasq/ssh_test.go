package dnsmasq

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/netalign/netalign/dhcp/internal/dhcptest"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/secret"
	"github.com/netalign/netalign/inventory"
)

// sshServer is an SSH server on 127.0.0.1 that runs every exec request with
// /bin/sh on this machine: the remote host of the tests, speaking real SSH.
type sshServer struct {
	addr       string
	knownHosts string
}

func startSSHServer(t *testing.T, user, password string) *sshServer {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
		if c.User() == user && string(pw) == password {
			return nil, nil
		}
		return nil, errors.New("denied")
	}}
	cfg.AddHostKey(signer)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go serveSSH(c, cfg)
		}
	}()
	kh := filepath.Join(t.TempDir(), "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(l.Addr().String())}, signer.PublicKey())
	if err := os.WriteFile(kh, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return &sshServer{addr: l.Addr().String(), knownHosts: kh}
}

func serveSSH(c net.Conn, cfg *ssh.ServerConfig) {
	sc, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		c.Close()
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
				if req.Type != "exec" {
					_ = req.Reply(false, nil)
					continue
				}
				var p struct{ Command string }
				if err := ssh.Unmarshal(req.Payload, &p); err != nil {
					_ = req.Reply(false, nil)
					return
				}
				_ = req.Reply(true, nil)
				cmd := exec.Command("/bin/sh", "-c", p.Command)
				cmd.Stdin, cmd.Stdout, cmd.Stderr = ch, ch, ch.Stderr()
				status := 0
				if err := cmd.Run(); err != nil {
					status = 255
					var ee *exec.ExitError
					if errors.As(err, &ee) {
						status = ee.ExitCode()
					}
				}
				_ = ch.CloseWrite()
				_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(status)}))
				return
			}
		}()
	}
}

func TestSSHRunner(t *testing.T) {
	srv := startSSHServer(t, "netalign", "pw-ssh")
	t.Setenv("NETALIGN_TEST_SSH_PASS", "pw-ssh")
	ctx := context.Background()
	dir := t.TempDir()
	s, err := New(ctx, inventory.DHCPServer{
		Name: "dm-remote", Kind: Kind,
		Endpoint:    "ssh://netalign@" + srv.addr + "?knownHosts=" + srv.knownHosts,
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
		Endpoint:       "ssh://netalign@" + srv.addr + "?knownHosts=" + srv.knownHosts,
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

func TestSSHRefusesUnknownHostKey(t *testing.T) {
	srv := startSSHServer(t, "netalign", "pw-ssh")
	other := startSSHServer(t, "netalign", "pw-ssh")
	t.Setenv("NETALIGN_TEST_SSH_PASS", "pw-ssh")
	s, err := New(context.Background(), inventory.DHCPServer{
		Name: "dm-remote", Kind: Kind,
		// The known_hosts file of another server: the key does not match.
		Endpoint:    "ssh://netalign@" + srv.addr + "?knownHosts=" + other.knownHosts,
		Credentials: inventory.Credentials{PasswordEnv: "NETALIGN_TEST_SSH_PASS"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.Observe(context.Background())
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) {
		t.Fatalf("Observe against an unknown host key: %v, want a knownhosts.KeyError", err)
	}
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
