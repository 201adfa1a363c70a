package remote

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/netalign/netalign/hostnet"
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
	addr    string
	hostKey ssh.PublicKey
	mu      sync.Mutex
	ran     []string
}

func newSSHServer(t *testing.T, user, password string, outputs map[string]string) *sshServer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{PasswordCallback: func(c ssh.ConnMetadata, p []byte) (*ssh.Permissions, error) {
		if c.User() == user && string(p) == password {
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
	s := &sshServer{addr: ln.Addr().String(), hostKey: signer.PublicKey()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c, cfg, outputs)
		}
	}()
	return s
}

func (s *sshServer) serve(c net.Conn, cfg *ssh.ServerConfig, outputs map[string]string) {
	defer c.Close()
	_, chans, reqs, err := ssh.NewServerConn(c, cfg)
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
			defer ch.Close()
			for r := range creqs {
				if r.Type != "exec" {
					r.Reply(false, nil)
					continue
				}
				n := binary.BigEndian.Uint32(r.Payload)
				cmd := string(r.Payload[4 : 4+n])
				s.mu.Lock()
				s.ran = append(s.ran, cmd)
				s.mu.Unlock()
				r.Reply(true, nil)
				status := uint32(0)
				if out, ok := outputs[cmd]; ok {
					ch.Write([]byte(out))
				} else {
					ch.Stderr().Write([]byte("sh: command not found\n"))
					status = 127
				}
				ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, status))
				return
			}
		}()
	}
}

func knownHostsFile(t *testing.T, addr string, key ssh.PublicKey) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(addr)}, key) + "\n"
	if err := os.WriteFile(p, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
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
	cfg := Config{Name: "harvester-0", Address: srv.addr, User: "ops", Auth: []ssh.AuthMethod{ssh.Password("s3cret")},
		KnownHosts: knownHostsFile(t, srv.addr, srv.hostKey), Timeout: 5 * time.Second}
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
	if diff := cmp.Diff([]string{CmdLinks, CmdBridgeVLANs, CmdBonding}, srv.ran); diff != "" {
		t.Errorf("commands run (-want +got):\n%s", diff)
	}
}

func TestObserveRejectsUnknownHostKey(t *testing.T) {
	srv := newSSHServer(t, "ops", "pw", realKernelOutputs(t))
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	otherKey, err := ssh.NewPublicKey(other)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Name: "h", Address: srv.addr, User: "ops", Auth: []ssh.AuthMethod{ssh.Password("pw")},
		KnownHosts: knownHostsFile(t, srv.addr, otherKey), Timeout: 5 * time.Second}
	_, err = Observe(context.Background(), cfg)
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) {
		t.Fatalf("err %v, want a knownhosts key mismatch", err)
	}
	if len(srv.ran) != 0 {
		t.Errorf("commands ran on an unverified host: %q", srv.ran)
	}
}

func TestObserveCommandFails(t *testing.T) {
	out := realKernelOutputs(t)
	delete(out, CmdBridgeVLANs)
	srv := newSSHServer(t, "ops", "pw", out)
	cfg := Config{Name: "h", Address: srv.addr, User: "ops", Auth: []ssh.AuthMethod{ssh.Password("pw")},
		KnownHosts: knownHostsFile(t, srv.addr, srv.hostKey), Timeout: 5 * time.Second}
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
