package embedded_test

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/dhcp/embedded"
	"github.com/netalign/netalign/dhcp/probe"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

func logger(t testing.TB) *slog.Logger {
	level := slog.LevelDebug
	if _, bench := t.(*testing.B); bench {
		level = slog.LevelWarn // per-lease logging would dominate the measurement
	}
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: level}))
}

// freePort returns a UDP port free on addr (loopback, unprivileged).
func freePort(t testing.TB, addr string) uint16 {
	t.Helper()
	c, err := probe.ListenRelay(context.Background(), netip.MustParseAddrPort(addr+":0"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return uint16(c.LocalAddr().(interface{ AddrPort() netip.AddrPort }).AddrPort().Port())
}

// loopbackServer runs a server on 127.0.0.1 (unprivileged port) whose relay
// replies go to 127.0.0.2:relayPort. It returns the server address and a
// stop function that waits for Run to return.
type loopback struct {
	server netip.AddrPort
	relay  netip.AddrPort
	srv    *embedded.Server
	stop   func()
}

func startLoopback(t testing.TB, cfg embedded.Config) *loopback {
	t.Helper()
	relay := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.2"), freePort(t, "127.0.0.2"))
	cfg.ListenAddr = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), 0)
	cfg.ServerID = netip.MustParseAddr("127.0.0.1")
	cfg.RelayPort = int(relay.Port())
	srv, err := embedded.NewServer(cfg, logger(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	l := &loopback{relay: relay, srv: srv}
	l.server = srv.Addrs()[""].(interface{ AddrPort() netip.AddrPort }).AddrPort()
	stopped := false
	l.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	t.Cleanup(l.stop)
	return l
}

func relayPool() intent.Pool {
	return intent.Pool{Network: "vlan100", VLAN: 100, Subnet: "10.100.0.0/24", Ranges: []string{"10.100.0.50-10.100.0.60"},
		Gateway: "10.100.0.1", DNS: []string{"10.0.0.53"}, Domain: "lab.example", LeaseTime: 600, Relay: "127.0.0.2"}
}

func TestServeRelayDORAAndRelease(t *testing.T) {
	dir := t.TempDir()
	l := startLoopback(t, embedded.Config{Pools: []intent.Pool{relayPool()}, LeaseFile: filepath.Join(dir, "leases.db")})
	want := relayPool()
	res, err := probe.Probe(context.Background(), probe.Options{Relay: l.relay, Server: l.server, Expect: &want, Release: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || res.Ack == nil || !res.Released {
		t.Fatalf("probe: %+v", res)
	}
	if got := res.Ack.Address.String(); got != "10.100.0.50" {
		t.Fatalf("acked %s, want 10.100.0.50", got)
	}
	// The RELEASE is a datagram without answer; wait until the server saw it.
	waitFor(t, func() bool {
		ls := l.srv.Handler().Leases()
		return len(ls) == 1 && ls[0].State == embedded.LeaseReleased
	})
}

func TestServeRestartKeepsLeases(t *testing.T) {
	dir := t.TempDir()
	cfg := embedded.Config{Pools: []intent.Pool{relayPool()}, LeaseFile: filepath.Join(dir, "leases.db")}
	addrs := map[string]netip.Addr{}
	macs := []string{"02:00:00:00:01:01", "02:00:00:00:01:02", "02:00:00:00:01:03"}
	l := startLoopback(t, cfg)
	for _, m := range macs {
		res := dora(t, l, m)
		addrs[m] = res
	}
	l.stop()
	l2 := startLoopback(t, cfg)
	// In reverse order: without the lease file the first would get .50.
	for i := len(macs) - 1; i >= 0; i-- {
		if got := dora(t, l2, macs[i]); got != addrs[macs[i]] {
			t.Fatalf("%s got %s after restart, had %s", macs[i], got, addrs[macs[i]])
		}
	}
}

func dora(t *testing.T, l *loopback, mac string) netip.Addr {
	t.Helper()
	hw := mustMAC(t, mac)
	res, err := probe.Probe(context.Background(), probe.Options{Relay: l.relay, Server: l.server, HWAddr: hw, DORA: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Ack == nil {
		t.Fatalf("%s: no ack: %+v", mac, res.Findings)
	}
	return res.Ack.Address
}

func TestServeReloadsPoolsFile(t *testing.T) {
	dir := t.TempDir()
	inv := inventory.DHCPServer{Name: "builtin", Kind: embedded.Kind, LeaseFile: filepath.Join(dir, "leases.db")}
	poolsPath, err := embedded.PoolsPath(inv)
	if err != nil {
		t.Fatal(err)
	}
	l := startLoopback(t, embedded.Config{Pools: []intent.Pool{relayPool()}, LeaseFile: inv.LeaseFile,
		PoolsFile: poolsPath, ReloadInterval: 20 * time.Millisecond})
	ctx := context.Background()
	drv, err := embedded.New(ctx, inv, logger(t))
	if err != nil {
		t.Fatal(err)
	}
	got, err := drv.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := relayPool()
	want.Owned = true
	if diff := cmp.Diff([]intent.Pool{want}, got); diff != "" {
		t.Fatalf("Observe of a running server (-want +got):\n%s", diff)
	}
	before := relayPool()
	after := relayPool()
	after.Gateway, after.DNS, after.Ranges = "10.100.0.254", []string{"10.0.0.54", "10.0.0.55"}, []string{"10.100.0.70-10.100.0.80"}
	if err := drv.Apply(ctx, []intent.PoolChange{{Action: intent.Update, Pool: after, Before: &before}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return l.srv.Handler().Pools()[0].Gateway == "10.100.0.254" })
	res, err := probe.Probe(ctx, probe.Options{Relay: l.relay, Server: l.server, Expect: &before})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, f := range res.Findings {
		codes[f.Object] = f.Code
	}
	wantCodes := map[string]string{"address": probe.CodePoolMismatch, "router": probe.CodePoolMismatch, "dns": probe.CodePoolMismatch}
	if diff := cmp.Diff(wantCodes, codes); diff != "" {
		t.Fatalf("findings against the old pool (-want +got):\n%s", diff)
	}
	res, err = probe.Probe(ctx, probe.Options{Relay: l.relay, Server: l.server, Expect: &after})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("findings against the new pool: %+v", res.Findings)
	}
}

// waitFor polls cond until it holds: for effects of datagrams that get no
// answer (RELEASE, DECLINE) and of the pools file poll. The bound only turns
// a lost datagram into a failure instead of a hang.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(end) {
			t.Fatal("condition not reached in 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func mustMAC(t testing.TB, s string) net.HardwareAddr {
	t.Helper()
	hw, err := net.ParseMAC(s)
	if err != nil {
		t.Fatal(err)
	}
	return hw
}

func TestServeStartsWithoutPoolsAndPicksThemUp(t *testing.T) {
	dir := t.TempDir()
	inv := inventory.DHCPServer{Name: "builtin", Kind: embedded.Kind, LeaseFile: filepath.Join(dir, "leases.db"), ConfigPath: filepath.Join(dir, "pools.json")}
	l := startLoopback(t, embedded.Config{LeaseFile: inv.LeaseFile, PoolsFile: inv.ConfigPath, ReloadInterval: 20 * time.Millisecond})
	ctx := context.Background()
	res, err := probe.Probe(ctx, probe.Options{Relay: l.relay, Server: l.server, Timeout: 50 * time.Millisecond, Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Findings[0].Code != probe.CodeNoOffer {
		t.Fatalf("server without pools: %+v", res)
	}
	drv, err := embedded.New(ctx, inv, logger(t))
	if err != nil {
		t.Fatal(err)
	}
	p := relayPool()
	if err := drv.Apply(ctx, []intent.PoolChange{{Action: intent.Create, Pool: p}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return len(l.srv.Handler().Pools()) == 1 })
	res, err = probe.Probe(ctx, probe.Options{Relay: l.relay, Server: l.server, Expect: &p})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("after apply: %+v", res.Findings)
	}
}
