package dnsmasq

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/dhcp/internal/dhcptest"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

type dnsmasqLab struct {
	*dhcptest.Dnsmasq
	link *dhcptest.Link
	srv  *Server
}

func (l *dnsmasqLab) pid(t testing.TB) int { return l.PID(t) }

func startDnsmasq(t testing.TB) *dnsmasqLab { return startDnsmasqWith(t, "log-dhcp\n") }

// startDnsmasqWith starts dnsmasq (dhcptest.StartDnsmasq, extra lines in its
// main configuration) and opens the driver on a file in its conf-dir, with
// the namespace-aware restart command.
func startDnsmasqWith(t testing.TB, extra string) *dnsmasqLab {
	t.Helper()
	d := dhcptest.StartDnsmasq(t, extra)
	return &dnsmasqLab{Dnsmasq: d, link: d.Link, srv: NewWithRunner(inventory.DHCPServer{
		Name: "dm1", Kind: Kind,
		ConfigPath:     filepath.Join(d.ConfDir, "netalign.conf"),
		RestartCommand: d.RestartCommand,
	}, Local{}, nil)}
}

func relayPools() []intent.Pool {
	var out []intent.Pool
	for _, v := range []int{100, 101, 102} {
		n := fmt.Sprintf("172.16.%d", v)
		out = append(out, intent.Pool{
			Network: fmt.Sprintf("vlan%d", v), VLAN: v, Subnet: n + ".0/24",
			Ranges:  []string{n + ".50-" + n + ".200"},
			Gateway: n + ".1", DNS: []string{"172.16.0.53"}, Domain: "lab.example", LeaseTime: 600,
			Relay: n + ".1", Owned: true,
			Reservations: []intent.Reservation{{MAC: fmt.Sprintf("52:54:00:00:%02x:01", v), IP: n + ".10", Hostname: fmt.Sprintf("vm%d", v)}},
		})
	}
	return out
}

func (l *dnsmasqLab) offer(t *testing.T, giaddr string, mac net.HardwareAddr) (netip.Addr, []string, []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := dhcptest.Offer(ctx, l.link.Client, netip.MustParseAddr(giaddr), l.link.ServerIP, mac)
	if err != nil {
		t.Fatalf("via %s: %v", giaddr, err)
	}
	yi, _ := netip.AddrFromSlice(m.YourIPAddr.To4())
	var routers, dns []string
	for _, r := range m.Router() {
		routers = append(routers, r.String())
	}
	for _, d := range m.DNS() {
		dns = append(dns, d.String())
	}
	return yi, routers, dns
}

func (l *dnsmasqLab) checkPoolOffer(t *testing.T, p intent.Pool, mac net.HardwareAddr) {
	t.Helper()
	yi, routers, dns := l.offer(t, p.Relay, mac)
	a, b, _ := dhcp.ParseRange(p.Ranges[0])
	if yi.Less(a) || b.Less(yi) {
		t.Errorf("vlan %d: offered %s, outside %s", p.VLAN, yi, p.Ranges[0])
	}
	if diff := cmp.Diff([]string{p.Gateway}, routers); diff != "" {
		t.Errorf("vlan %d: router (-want +got):\n%s", p.VLAN, diff)
	}
	if diff := cmp.Diff(p.DNS, dns); diff != "" {
		t.Errorf("vlan %d: dns (-want +got):\n%s", p.VLAN, diff)
	}
}

// checkHandWritten confirms the hand-written pool is still served.
func (l *dnsmasqLab) checkHandWritten(t *testing.T, step string) {
	t.Helper()
	yi, routers, _ := l.offer(t, l.link.ClientIP.String(), net.HardwareAddr{0x52, 0x54, 0, 0x77, 0, 1})
	if !netip.MustParsePrefix("10.77.0.0/24").Contains(yi) || len(routers) != 1 || routers[0] != "10.77.0.254" {
		t.Errorf("%s: hand-written pool offered %s router %v", step, yi, routers)
	}
	b, err := os.ReadFile(l.HandWritten)
	if err != nil || string(b) != dhcptest.DnsmasqHandWritten {
		t.Errorf("%s: hand-written file changed: %v\n%s", step, err, b)
	}
}

func TestDnsmasqRoundTrip(t *testing.T) {
	l := startDnsmasq(t)
	ctx := context.Background()
	for _, p := range relayPools() {
		l.link.AddRelay(t, p.Relay)
	}
	l.checkHandWritten(t, "before")
	pid0 := l.pid(t)

	if err := l.srv.Apply(ctx, creates(relayPools())); err != nil {
		t.Fatal(err)
	}
	if l.pid(t) == pid0 {
		t.Fatal("dnsmasq was not restarted")
	}
	got, err := l.srv.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(relayPools(), got); diff != "" {
		t.Fatalf("after create (-want +got):\n%s", diff)
	}
	for _, p := range relayPools() {
		l.checkPoolOffer(t, p, net.HardwareAddr{0x52, 0x54, 0, 0x10, byte(p.VLAN), 0x99})
	}
	for _, p := range relayPools() {
		dhcptest.ProbePool(t, l.link, p)
	}
	if yi, _, _ := l.offer(t, "172.16.100.1", net.HardwareAddr{0x52, 0x54, 0, 0, 100, 1}); yi.String() != "172.16.100.10" {
		t.Errorf("reserved MAC offered %s, want 172.16.100.10", yi)
	}
	l.checkHandWritten(t, "after create")

	upd := relayPools()[1]
	upd.Ranges = []string{"172.16.101.20-172.16.101.30"}
	upd.Gateway = "172.16.101.254"
	if err := l.srv.Apply(ctx, []intent.PoolChange{
		{Action: intent.Update, Pool: upd},
		{Action: intent.Delete, Pool: relayPools()[2]},
	}); err != nil {
		t.Fatal(err)
	}
	got, err = l.srv.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]intent.Pool{relayPools()[0], upd}, got); diff != "" {
		t.Fatalf("after update+delete (-want +got):\n%s", diff)
	}
	l.checkPoolOffer(t, upd, net.HardwareAddr{0x52, 0x54, 0, 0x20, 101, 0x99})
	dhcptest.ProbePool(t, l.link, upd)
	l.checkHandWritten(t, "after update+delete")

	// An invalid file never replaces the running one: dnsmasq --test rejects
	// it, the file and the running dnsmasq are unchanged.
	pid1 := l.pid(t)
	before, err := os.ReadFile(l.srv.path)
	if err != nil {
		t.Fatal(err)
	}
	bad := relayPools()[0]
	bad.Ranges = []string{"172.16.100.50-172.16.101.60"}
	err = l.srv.install(ctx, before, Render([]intent.Pool{bad, upd}))
	var ce *CheckError
	if !errors.As(err, &ce) {
		t.Fatalf("install of an invalid file: %v, want dnsmasq's rejection", err)
	}
	if after, _ := os.ReadFile(l.srv.path); string(after) != string(before) {
		t.Fatalf("rejected file replaced the running one:\n%s", after)
	}
	if l.pid(t) != pid1 {
		t.Fatal("dnsmasq restarted after a rejected check")
	}
	l.checkPoolOffer(t, relayPools()[0], net.HardwareAddr{0x52, 0x54, 0, 0x30, 100, 0x99})

	// Remove all of netalign's pools: the hand-written one stays.
	if err := l.srv.Apply(ctx, []intent.PoolChange{
		{Action: intent.Delete, Pool: relayPools()[0]},
		{Action: intent.Delete, Pool: upd},
	}); err != nil {
		t.Fatal(err)
	}
	if got, err := l.srv.Observe(ctx); err != nil || len(got) != 0 {
		t.Fatalf("after removing all: %v, %v; want no pools", got, err)
	}
	l.checkHandWritten(t, "after removing all")
}
