package labtest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/internal/lab/sshcli"
	"github.com/netalign/netalign/internal/secret"
	"github.com/netalign/netalign/switchdrivers"
)

// Credentials of every test switch.
const (
	User   = "netalign"
	Pass   = "lab-pass"
	Enable = "lab-enable"
)

// Switch is one running simulated switch.
type Switch struct {
	Dev    *device.Device
	Server *sshcli.Server
	Config switchdrivers.Config
	// HostKey is the server's host key, for tests that need another.
	HostKey ssh.Signer
}

// PortName is the n-th port of a switch of platform (Ethernet1 on EOS,
// Ethernet1/1 on NX-OS).
func PortName(platform string, n int) string {
	if platform == device.PlatformNXOS {
		return fmt.Sprintf("Ethernet1/%d", n)
	}
	return fmt.Sprintf("Ethernet%d", n)
}

// Ports is the cabling of the test switches: ports 1 and 2 to host h0's
// 802.3ad bond (LACP rate fast), port 3 to h1's active-backup bond, port 4
// to h2's balance-xor bond, ports 5 and 6 empty.
func Ports(platform string) []device.PortSpec {
	nic := func(host, nic string, mode intent.BondMode, rate string) *device.HostNIC {
		return &device.HostNIC{Host: host, NIC: nic, BondMode: mode, LACPRate: rate, ClusterNetwork: "mgmt"}
	}
	return []device.PortSpec{
		{Name: PortName(platform, 1), Peer: nic("h0", "eno1", intent.LACP, "fast")},
		{Name: PortName(platform, 2), Peer: nic("h0", "eno2", intent.LACP, "fast")},
		{Name: PortName(platform, 3), Peer: nic("h1", "eno1", intent.ActiveBackup, "")},
		{Name: PortName(platform, 4), Peer: nic("h2", "eno1", intent.BalanceXOR, "")},
		{Name: PortName(platform, 5)},
		{Name: PortName(platform, 6)},
	}
}

// Start runs a simulated switch of platform (device.PlatformEOS or
// device.PlatformNXOS) until the test ends. Logins land in unprivileged
// exec mode and `enable` asks for Enable, as on a real switch.
func Start(t testing.TB, name, platform string) *Switch {
	t.Helper()
	return StartWith(t, name, platform, nil)
}

// StartWith is Start with a hook that adjusts the SSH frontend's options
// (authorized keys, no enable secret...).
func StartWith(t testing.TB, name, platform string, adjust func(*sshcli.Options)) *Switch {
	t.Helper()
	dir := t.TempDir()
	key, err := sshcli.LoadOrCreateHostKey(filepath.Join(dir, "host.key"))
	if err != nil {
		t.Fatal(err)
	}
	dev := device.New(name, platform, Ports(platform))
	opts := sshcli.Options{Username: User, Password: Pass, EnableSecret: Enable, HostKey: key}
	if adjust != nil {
		adjust(&opts)
	}
	srv, err := sshcli.New(dev, opts)
	if err != nil {
		t.Fatal(err)
	}
	host, port := Listen(t, srv)
	kh := filepath.Join(dir, "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(net.JoinHostPort(host, strconv.Itoa(port)))}, key.PublicKey())
	if err := os.WriteFile(kh, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return &Switch{Dev: dev, Server: srv, HostKey: key, Config: switchdrivers.Config{
		Name: name, Platform: platform, Protocol: "ssh", Host: host, Port: port,
		Username: User, Password: secret.New(Pass), EnablePassword: secret.New(Enable),
		KnownHosts: kh, Timeout: 20 * time.Second, Save: true,
	}}
}

// Listen serves srv (an SSH or gNMI frontend of the lab) on an ephemeral
// loopback port until the test ends, and returns where.
func Listen(t testing.TB, srv interface {
	Listen(addr string) (net.Addr, error)
	Close() error
}) (host string, port int) {
	t.Helper()
	addr, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	host, ps, err := net.SplitHostPort(addr.String())
	if err != nil {
		t.Fatal(err)
	}
	port, err = strconv.Atoi(ps)
	if err != nil {
		t.Fatal(err)
	}
	return host, port
}
