package dhcptest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/vishvananda/netns"
)

// Prereq skips the test with reason when ok is false, or fails it when
// NETALIGN_REQUIRE_PREREQS=1 (make test), so that CI never silently skips.
func Prereq(t testing.TB, ok bool, reason string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("NETALIGN_REQUIRE_PREREQS") == "1" {
		t.Fatalf("prerequisite missing (NETALIGN_REQUIRE_PREREQS=1): %s", reason)
	}
	t.Skipf("prerequisite missing: %s", reason)
}

// RequireRoot needs root (network namespaces, port 67).
func RequireRoot(t testing.TB) {
	t.Helper()
	Prereq(t, os.Geteuid() == 0, "needs root for network namespaces and DHCP port 67")
}

// RequireBinary returns the path of a program, naming the Debian package
// that ships it when it is missing.
func RequireBinary(t testing.TB, name, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		for _, dir := range []string{"/usr/sbin", "/sbin"} {
			if _, serr := os.Stat(dir + "/" + name); serr == nil {
				return dir + "/" + name
			}
		}
	}
	Prereq(t, err == nil, fmt.Sprintf("%s not found (apt-get install %s)", name, debianPackage))
	return p
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Netns is a network namespace the test created; it is deleted at cleanup.
type Netns struct{ Name string }

// NewNetns creates a namespace with a unique name and its loopback up.
func NewNetns(t testing.TB, prefix string) *Netns {
	t.Helper()
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	n := &Netns{Name: prefix + "-" + hex.EncodeToString(b)}
	run(t, "ip", "netns", "add", n.Name)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", n.Name).Run() })
	n.IP(t, "link", "set", "lo", "up")
	return n
}

// IP runs `ip -n NAME args...`.
func (n *Netns) IP(t testing.TB, args ...string) {
	t.Helper()
	run(t, "ip", append([]string{"-n", n.Name}, args...)...)
}

// Command returns a command that runs inside the namespace.
func (n *Netns) Command(name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", n.Name, name}, args...)...)
}

// Do runs fn on an OS thread switched into the namespace. Sockets fn opens
// stay in the namespace after it returns.
func (n *Netns) Do(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		// The thread is never unlocked: it is discarded with its namespace
		// instead of returning to the scheduler's pool.
		runtime.LockOSThread()
		h, err := netns.GetFromName(n.Name)
		if err != nil {
			errc <- fmt.Errorf("netns %s: %w", n.Name, err)
			return
		}
		defer h.Close()
		if err := netns.Set(h); err != nil {
			errc <- fmt.Errorf("netns %s: enter: %w", n.Name, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
}

// Link is two namespaces joined by a veth pair: the server side s0 with
// ServerIP/24 and the client side c0 with ClientIP/24. Relay addresses live
// on c0; the server routes them back through c0.
type Link struct {
	Server, Client     *Netns
	ServerIP, ClientIP netip.Addr
}

// NewLink builds the pair of namespaces.
func NewLink(t testing.TB) *Link {
	t.Helper()
	l := &Link{
		Server:   NewNetns(t, "na-srv"),
		Client:   NewNetns(t, "na-cli"),
		ServerIP: netip.MustParseAddr("10.77.0.1"),
		ClientIP: netip.MustParseAddr("10.77.0.2"),
	}
	l.Server.IP(t, "link", "add", "s0", "type", "veth", "peer", "name", "c0", "netns", l.Client.Name)
	l.Server.IP(t, "addr", "add", l.ServerIP.String()+"/24", "dev", "s0")
	l.Client.IP(t, "addr", "add", l.ClientIP.String()+"/24", "dev", "c0")
	l.Server.IP(t, "link", "set", "s0", "up")
	l.Client.IP(t, "link", "set", "c0", "up")
	return l
}

// AddRelay puts a relay agent address on the client side and routes it from
// the server, as a router relaying for that VLAN would be reachable.
func (l *Link) AddRelay(t testing.TB, giaddr string) {
	t.Helper()
	l.Client.IP(t, "addr", "add", giaddr+"/32", "dev", "c0")
	l.Server.IP(t, "route", "add", giaddr+"/32", "via", l.ClientIP.String())
}

// StartProcess starts cmd with its output in logPath and stops it (by its
// pid) at cleanup.
func StartProcess(t testing.TB, cmd *exec.Cmd, logPath string) {
	t.Helper()
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done); f.Close() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
}

// RelayDiscover sends a DHCPDISCOVER for mac as a relay agent does — unicast
// from giaddr:67 to server:67 with giaddr set — from inside ns, and returns
// the server's answer for it. ctx bounds the wait.
func RelayDiscover(ctx context.Context, ns *Netns, giaddr, server netip.Addr, mac net.HardwareAddr) (*dhcpv4.DHCPv4, error) {
	var conn *net.UDPConn
	err := ns.Do(func() error {
		var err error
		conn, err = net.ListenUDP("udp4", &net.UDPAddr{IP: giaddr.AsSlice(), Port: dhcpv4.ServerPort})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("relay socket %s:67: %w", giaddr, err)
	}
	defer conn.Close()
	d, err := dhcpv4.NewDiscovery(mac, dhcpv4.WithRelay(giaddr.AsSlice()))
	if err != nil {
		return nil, err
	}
	if _, err := conn.WriteToUDP(d.ToBytes(), &net.UDPAddr{IP: server.AsSlice(), Port: dhcpv4.ServerPort}); err != nil {
		return nil, fmt.Errorf("send discover: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetReadDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(time.Now()) })
	defer stop()
	buf := make([]byte, 4096)
	for {
		n, _, err := conn.ReadFromUDP(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("no answer to discover via %s: %w", giaddr, ctx.Err())
			}
			return nil, fmt.Errorf("read answer: %w", err)
		}
		m, err := dhcpv4.FromBytes(buf[:n])
		if err != nil || m.TransactionID != d.TransactionID || m.OpCode != dhcpv4.OpcodeBootReply {
			continue
		}
		return m, nil
	}
}

// ErrNoOffer is returned by Offer when the answer is not an OFFER.
var ErrNoOffer = errors.New("answer is not an OFFER")

// Offer is RelayDiscover that insists on an OFFER.
func Offer(ctx context.Context, ns *Netns, giaddr, server netip.Addr, mac net.HardwareAddr) (*dhcpv4.DHCPv4, error) {
	m, err := RelayDiscover(ctx, ns, giaddr, server, mac)
	if err != nil {
		return nil, err
	}
	if m.MessageType() != dhcpv4.MessageTypeOffer {
		return nil, fmt.Errorf("%w: %s", ErrNoOffer, m.MessageType())
	}
	return m, nil
}

// Perfdhcp provisions n new clients (full DORA each) with Kea's perfdhcp
// load generator in its avalanche scenario, acting as a relay with address
// relay, from inside ns, against server. base is the first client MAC; runs
// with different bases request fresh leases. It returns the time perfdhcp
// measured from the first DISCOVER to the last ACK.
func Perfdhcp(ctx context.Context, ns *Netns, relay, server netip.Addr, n int, base net.HardwareAddr) (time.Duration, error) {
	args := []string{"netns", "exec", ns.Name, "perfdhcp", "-4", "-l", relay.String(),
		"--scenario", "avalanche", "-R", strconv.Itoa(n), "-b", "mac=" + base.String(), server.String()}
	out, err := exec.CommandContext(ctx, "ip", args...).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("perfdhcp: %w: %s", err, lastLines(out, 20))
	}
	m := tookRE.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("perfdhcp: no timing in output: %s", lastLines(out, 20))
	}
	if got, _ := strconv.Atoi(string(m[5])); got != n {
		return 0, fmt.Errorf("perfdhcp provisioned %d clients, want %d", got, n)
	}
	h, _ := strconv.Atoi(string(m[1]))
	mi, _ := strconv.Atoi(string(m[2]))
	s, _ := strconv.Atoi(string(m[3]))
	frac := string(m[4])
	us, _ := strconv.Atoi((frac + "000000")[:6])
	return time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(s)*time.Second + time.Duration(us)*time.Microsecond, nil
}

// tookRE matches perfdhcp's avalanche summary line,
// "It took 00:00:01.644471 to provision 200 clients."
var tookRE = regexp.MustCompile(`It took (\d+):(\d+):(\d+)\.(\d+) to provision (\d+) clients`)

func lastLines(b []byte, n int) string {
	l := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}
