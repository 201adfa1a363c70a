package sshcli

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
)

const (
	testUser   = "admin"
	testPass   = "lab-password"
	testEnable = "lab-enable"
)

type testSwitch struct {
	srv        *Server
	dev        *device.Device
	host       string
	port       int
	knownHosts string
}

// testPorts is a small switch: two ports to h0's 802.3ad bond, one to h1's
// active-backup bond, one empty.
func testPorts(platform string) []device.PortSpec {
	p := func(i int) string {
		if platform == device.PlatformNXOS {
			return fmt.Sprintf("Ethernet1/%d", i)
		}
		return fmt.Sprintf("Ethernet%d", i)
	}
	return []device.PortSpec{
		{Name: p(1), Peer: &device.HostNIC{Host: "h0", NIC: "eno1", BondMode: intent.LACP, LACPRate: "fast", ClusterNetwork: "mgmt"}},
		{Name: p(2), Peer: &device.HostNIC{Host: "h0", NIC: "eno2", BondMode: intent.LACP, LACPRate: "fast", ClusterNetwork: "mgmt"}},
		{Name: p(3), Peer: &device.HostNIC{Host: "h1", NIC: "eno1", BondMode: intent.ActiveBackup, ClusterNetwork: "mgmt"}},
		{Name: p(4)},
	}
}

func startTestSwitch(t *testing.T, name, platform, enable string) *testSwitch {
	t.Helper()
	return startTestSwitchWith(t, name, platform, enable, nil)
}

// startTestSwitchWith is startTestSwitch with a hook that adjusts the
// server's options.
func startTestSwitchWith(t *testing.T, name, platform, enable string, adjust func(*Options)) *testSwitch {
	t.Helper()
	dir := t.TempDir()
	key, err := LoadOrCreateHostKey(filepath.Join(dir, "host.key"))
	if err != nil {
		t.Fatal(err)
	}
	dev := device.New(name, platform, testPorts(platform))
	if platform == device.PlatformNXOS {
		if err := dev.Update(func(c *device.Config) error { c.Features["lacp"] = true; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	opts := Options{Username: testUser, Password: testPass, EnableSecret: enable, HostKey: key}
	if adjust != nil {
		adjust(&opts)
	}
	srv, err := New(dev, opts)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	host, ps, _ := net.SplitHostPort(addr.String())
	port, _ := strconv.Atoi(ps)
	kh := filepath.Join(dir, "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(addr.String())}, key.PublicKey())
	if err := os.WriteFile(kh, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return &testSwitch{srv: srv, dev: dev, host: host, port: port, knownHosts: kh}
}

// rawClient is an SSH shell session driven byte by byte, as Ansible's
// network_cli (paramiko) drives it.
func (ts *testSwitch) dial(t *testing.T, auth ...ssh.AuthMethod) (*ssh.Client, error) {
	t.Helper()
	cb, err := knownhosts.New(ts.knownHosts)
	if err != nil {
		t.Fatal(err)
	}
	if len(auth) == 0 {
		auth = []ssh.AuthMethod{ssh.Password(testPass)}
	}
	return ssh.Dial("tcp", net.JoinHostPort(ts.host, strconv.Itoa(ts.port)), &ssh.ClientConfig{
		User: testUser, Auth: auth, HostKeyCallback: cb,
	})
}
