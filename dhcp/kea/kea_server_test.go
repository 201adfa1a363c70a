package kea

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/dhcp/internal/dhcptest"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

type keaLab struct {
	*dhcptest.Kea
	link   *dhcptest.Link
	srv    *Server
	saved  string
	origin json.RawMessage // the hand-written subnet as first read
}

func startKea(t testing.TB) *keaLab { return startKeaTLS(t, false) }

// startKeaTLS starts Kea (dhcptest.StartKea, with the hand-written
// dhcptest.KeaConf) and opens the driver on it, credentials by reference.
func startKeaTLS(t testing.TB, withTLS bool) *keaLab {
	t.Helper()
	k := dhcptest.StartKea(t, withTLS)
	t.Setenv("NETALIGN_TEST_KEA_USER", k.User)
	t.Setenv("NETALIGN_TEST_KEA_PASS", k.Password)
	var tlsCfg *inventory.TLS
	if k.CA != "" {
		tlsCfg = &inventory.TLS{CA: k.CA}
	}
	saved := filepath.Join(k.Dir, "kea-dhcp4.saved.conf")
	s, err := New(context.Background(), inventory.DHCPServer{
		Name:        "kea1",
		Kind:        Kind,
		Endpoint:    k.Endpoint,
		Credentials: inventory.Credentials{UsernameEnv: "NETALIGN_TEST_KEA_USER", PasswordEnv: "NETALIGN_TEST_KEA_PASS"},
		TLS:         tlsCfg,
		ConfigPath:  saved,
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	l := &keaLab{Kea: k, link: k.Link, srv: s.(*Server), saved: saved}
	d, err := l.srv.configGet(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	l.origin = foreignSubnet(t, d)
	return l
}

// foreignSubnet returns the hand-written subnet (id 1) of a Dhcp4 object,
// re-encoded canonically for comparison.
func foreignSubnet(t testing.TB, d json.RawMessage) json.RawMessage {
	t.Helper()
	var top struct {
		Subnet4 []map[string]any `json:"subnet4"`
	}
	if err := json.Unmarshal(d, &top); err != nil {
		t.Fatal(err)
	}
	for _, s := range top.Subnet4 {
		if id, _ := s["id"].(float64); id == 1 {
			b, _ := json.Marshal(s)
			return b
		}
	}
	t.Fatal("the hand-written subnet 1 is gone")
	return nil
}

// checkForeign confirms the hand-written subnet is exactly as Kea first
// reported it, and that the rest of the configuration carries its settings.
func (l *keaLab) checkForeign(t *testing.T, step string) {
	t.Helper()
	d, err := l.srv.configGet(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(l.origin), string(foreignSubnet(t, d))); diff != "" {
		t.Fatalf("%s: hand-written subnet changed (-want +got):\n%s", step, diff)
	}
}

func labPools() []intent.Pool {
	var out []intent.Pool
	for _, v := range []int{100, 101, 102} {
		n := fmt.Sprintf("172.16.%d", v)
		out = append(out, intent.Pool{
			Network: fmt.Sprintf("vlan%d", v), VLAN: v, Subnet: n + ".0/24",
			Ranges:  []string{n + ".50-" + n + ".200"},
			Gateway: n + ".1", DNS: []string{"172.16.0.53"}, Domain: "lab.example", LeaseTime: 600,
			Relay:        n + ".1",
			Reservations: []intent.Reservation{{MAC: fmt.Sprintf("52:54:00:00:%02x:01", v), IP: n + ".10", Hostname: fmt.Sprintf("vm%d", v)}},
		})
	}
	return out
}

func owned(pools []intent.Pool) []intent.Pool {
	var out []intent.Pool
	for _, p := range pools {
		if p.Owned {
			out = append(out, p)
		}
	}
	return out
}

func markOwned(pools []intent.Pool) []intent.Pool {
	out := make([]intent.Pool, len(pools))
	for i, p := range pools {
		p.Owned = true
		out[i] = p
	}
	return out
}

// checkOffer sends a relayed DISCOVER through the pool's relay and checks the
// OFFER: an address in the pool's range, its router and DNS servers.
func (l *keaLab) checkOffer(t *testing.T, p intent.Pool, mac net.HardwareAddr) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := dhcptest.Offer(ctx, l.link.Client, netip.MustParseAddr(p.Relay), l.link.ServerIP, mac)
	if err != nil {
		t.Fatalf("vlan %d: %v", p.VLAN, err)
	}
	checkOfferIn(t, m, p)
}

func checkOfferIn(t *testing.T, m *dhcpv4.DHCPv4, p intent.Pool) {
	t.Helper()
	yi, _ := netip.AddrFromSlice(m.YourIPAddr.To4())
	in := false
	for _, r := range p.Ranges {
		a, b, _ := dhcp.ParseRange(r)
		if !yi.Less(a) && !b.Less(yi) {
			in = true
		}
	}
	for _, r := range p.Reservations {
		if r.IP == yi.String() {
			in = true
		}
	}
	if !in {
		t.Errorf("vlan %d: offered %s, outside %v", p.VLAN, yi, p.Ranges)
	}
	if got := m.Router(); len(got) != 1 || got[0].String() != p.Gateway {
		t.Errorf("vlan %d: router option %v, want %s", p.VLAN, got, p.Gateway)
	}
	var dns []string
	for _, d := range m.DNS() {
		dns = append(dns, d.String())
	}
	if diff := cmp.Diff(p.DNS, dns); diff != "" {
		t.Errorf("vlan %d: dns option (-want +got):\n%s", p.VLAN, diff)
	}
}

func TestKeaRoundTrip(t *testing.T) {
	l := startKea(t)
	ctx := context.Background()
	for _, p := range labPools() {
		l.link.AddRelay(t, p.Relay)
	}

	// Before: only the hand-written subnet, not netalign's.
	before, err := l.srv.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want0 := []intent.Pool{{VLAN: 1, Subnet: "10.77.0.0/24", Ranges: []string{"10.77.0.100-10.77.0.150"}, Gateway: "10.77.0.254", LeaseTime: 3600}}
	if diff := cmp.Diff(want0, before); diff != "" {
		t.Fatalf("initial pools (-want +got):\n%s", diff)
	}

	// Create three pools.
	var changes []intent.PoolChange
	for _, p := range labPools() {
		changes = append(changes, intent.PoolChange{Action: intent.Create, Pool: p})
	}
	if err := l.srv.Apply(ctx, changes); err != nil {
		t.Fatal(err)
	}
	got, err := l.srv.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(markOwned(labPools()), owned(got)); diff != "" {
		t.Fatalf("after create (-want +got):\n%s", diff)
	}
	l.checkForeign(t, "after create")
	for _, p := range labPools() {
		l.checkOffer(t, p, net.HardwareAddr{0x52, 0x54, 0x00, 0x10, byte(p.VLAN), 0x99})
	}
	for _, p := range labPools() {
		dhcptest.ProbePool(t, l.link, p)
	}
	// A reservation is honoured.
	p100 := labPools()[0]
	ctx10, cancel := context.WithTimeout(ctx, 10*time.Second)
	m, err := dhcptest.Offer(ctx10, l.link.Client, netip.MustParseAddr(p100.Relay), l.link.ServerIP, net.HardwareAddr{0x52, 0x54, 0, 0, 100, 1})
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	if got := m.YourIPAddr.String(); got != "172.16.100.10" {
		t.Errorf("reserved MAC offered %s, want 172.16.100.10", got)
	}

	// The saved file is what runs, and Kea can read it back.
	savedBytes, err := os.ReadFile(l.saved)
	if err != nil {
		t.Fatalf("config-write: %v", err)
	}
	sd, err := Dhcp4(savedBytes)
	if err != nil {
		t.Fatal(err)
	}
	savedPools, err := ParsePools(sd)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, savedPools); diff != "" {
		t.Errorf("saved configuration (-running +saved):\n%s", diff)
	}

	// Change one pool, remove one.
	upd := labPools()[1]
	upd.Ranges = []string{"172.16.101.20-172.16.101.30"}
	upd.Gateway = "172.16.101.254"
	upd.LeaseTime = 0
	before101 := labPools()[1]
	if err := l.srv.Apply(ctx, []intent.PoolChange{
		{Action: intent.Update, Pool: upd, Before: &before101},
		{Action: intent.Delete, Pool: labPools()[2]},
	}); err != nil {
		t.Fatal(err)
	}
	got, err = l.srv.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(markOwned([]intent.Pool{labPools()[0], upd}), owned(got)); diff != "" {
		t.Fatalf("after update+delete (-want +got):\n%s", diff)
	}
	l.checkForeign(t, "after update+delete")
	l.checkOffer(t, upd, net.HardwareAddr{0x52, 0x54, 0x00, 0x20, 101, 0x99})
	dhcptest.ProbePool(t, l.link, upd)

	// A pool outside its subnet: config-test rejects it with Kea's reason and
	// the server keeps its configuration. (dhcp.ApplyChanges refuses such a
	// pool before Kea sees it, so push is called directly.)
	running, err := l.srv.configGet(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bad := labPools()[0]
	bad.Ranges = []string{"172.16.200.50-172.16.200.60"}
	err = l.srv.push(ctx, running, markOwned([]intent.Pool{bad, upd}))
	var ce *CommandError
	if !errors.As(err, &ce) || ce.Command != "config-test" || !strings.Contains(ce.Text, "does not match the prefix of a subnet") {
		t.Fatalf("push of an out-of-subnet pool: error %v, want config-test's rejection", err)
	}
	t.Logf("Kea's rejection: %v", err)
	after, err := l.srv.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, after); diff != "" {
		t.Fatalf("rejected configuration changed the server (-want +got):\n%s", diff)
	}

	// Through the public path: an interface the server does not have passes
	// netalign's checks and is refused by Kea, nothing changes.
	ifc := labPools()[2]
	ifc.Relay, ifc.Interface = "", "eth9"
	err = l.srv.Apply(ctx, []intent.PoolChange{{Action: intent.Create, Pool: ifc}})
	if !errors.As(err, &ce) || ce.Command != "config-test" {
		t.Fatalf("apply with a missing interface: error %v, want config-test's rejection", err)
	}
	after, err = l.srv.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, after); diff != "" {
		t.Fatalf("rejected configuration changed the server (-want +got):\n%s", diff)
	}
	l.checkForeign(t, "after rejections")
	l.checkOffer(t, labPools()[0], net.HardwareAddr{0x52, 0x54, 0x00, 0x30, 100, 0x99})

	// Someone else changes the server between netalign's read and its set:
	// the apply stops, their change stays.
	l.srv.beforeSet = func() {
		if _, err := l.srv.c.call(ctx, "config-set", map[string]json.RawMessage{"Dhcp4": withValidLifetime(t, running, 7200)}); err != nil {
			t.Errorf("concurrent config-set: %v", err)
		}
	}
	err = l.srv.Apply(ctx, []intent.PoolChange{{Action: intent.Create, Pool: labPools()[2]}})
	l.srv.beforeSet = nil
	if !errors.Is(err, ErrConcurrentChange) {
		t.Fatalf("apply during a concurrent change: %v, want ErrConcurrentChange", err)
	}
	if d, err := l.srv.configGet(ctx); err != nil || !strings.Contains(string(d), `"valid-lifetime": 7200`) {
		t.Fatalf("the concurrent change was overwritten (%v)", err)
	}

	// Remove everything netalign owns: only the hand-written subnet is left.
	if err := l.srv.Apply(ctx, []intent.PoolChange{
		{Action: intent.Delete, Pool: labPools()[0]},
		{Action: intent.Delete, Pool: upd},
	}); err != nil {
		t.Fatal(err)
	}
	got, err = l.srv.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want0, got); diff != "" {
		t.Fatalf("after removing all (-want +got):\n%s", diff)
	}
	l.checkForeign(t, "after removing all")
	// The hand-written subnet still serves (selected by the relay's address).
	ho := want0[0]
	ho.Relay, ho.DNS = l.link.ClientIP.String(), nil
	l.checkOffer(t, ho, net.HardwareAddr{0x52, 0x54, 0x00, 0x77, 0, 1})
}

func TestKeaWrongPassword(t *testing.T) {
	l := startKea(t)
	t.Setenv("NETALIGN_TEST_KEA_PASS", "wrong")
	s, err := New(context.Background(), inventory.DHCPServer{
		Name: "kea1", Kind: Kind, Endpoint: l.srv.c.endpoint,
		Credentials: inventory.Credentials{UsernameEnv: "NETALIGN_TEST_KEA_USER", PasswordEnv: "NETALIGN_TEST_KEA_PASS"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Observe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("Observe with a wrong password: %v, want 401", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Fatalf("error leaks the password: %v", err)
	}
}

// TestKeaTLS talks to the Control Agent over HTTPS, verifying its
// certificate against the configured CA, and fails without that CA.
func TestKeaTLS(t *testing.T) {
	l := startKeaTLS(t, true)
	ctx := context.Background()
	if err := l.srv.Apply(ctx, []intent.PoolChange{{Action: intent.Create, Pool: labPools()[0]}}); err != nil {
		t.Fatal(err)
	}
	got, err := l.srv.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(markOwned(labPools()[:1]), owned(got)); diff != "" {
		t.Errorf("over https (-want +got):\n%s", diff)
	}
	s, err := New(ctx, inventory.DHCPServer{
		Name: "kea1", Kind: Kind, Endpoint: l.srv.c.endpoint, TLS: &inventory.TLS{},
		Credentials: inventory.Credentials{UsernameEnv: "NETALIGN_TEST_KEA_USER", PasswordEnv: "NETALIGN_TEST_KEA_PASS"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var uerr x509.UnknownAuthorityError
	if _, err := s.Observe(ctx); !errors.As(err, &uerr) {
		t.Fatalf("Observe without the CA: %v, want an unknown authority error", err)
	}
}

// withValidLifetime returns a Dhcp4 object with its global valid-lifetime
// set to v, as another administrator might change it.
func withValidLifetime(t *testing.T, d json.RawMessage, v int) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(d, &m); err != nil {
		t.Fatal(err)
	}
	m["valid-lifetime"] = json.RawMessage(fmt.Sprint(v))
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestKeaWriteFailureRestores: when config-write fails, the configuration
// that was running before is set again, so the running and saved
// configurations never diverge.
func TestKeaWriteFailureRestores(t *testing.T) {
	l := startKea(t)
	ctx := context.Background()
	l.srv.configPath = filepath.Join(l.Dir, "no-such-dir", "kea-dhcp4.conf")
	err := l.srv.Apply(ctx, []intent.PoolChange{{Action: intent.Create, Pool: labPools()[0]}})
	var ce *CommandError
	if !errors.As(err, &ce) || ce.Command != "config-write" {
		t.Fatalf("apply with an unwritable path: %v, want config-write's error", err)
	}
	t.Logf("Kea's error: %v", err)
	got, err := l.srv.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if o := owned(got); len(o) != 0 {
		t.Fatalf("pools left running after a failed config-write: %+v", o)
	}
	l.checkForeign(t, "after restore")
}
