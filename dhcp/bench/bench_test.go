package bench

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/dhcp/dnsmasq"
	"github.com/netalign/netalign/dhcp/embedded"
	"github.com/netalign/netalign/dhcp/internal/dhcptest"
	"github.com/netalign/netalign/dhcp/kea"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

// benchPool is the pool every server serves: a /16 behind one relay, large enough
// for any client count up to 65000.
var benchPool = intent.Pool{
	Network: "bench", VLAN: 200, Subnet: "172.20.0.0/16",
	Ranges:  []string{"172.20.1.0-172.20.255.254"},
	Gateway: "172.20.0.254", DNS: []string{"172.20.0.53"}, LeaseTime: 3600, Relay: "172.20.0.1",
}

// target starts one server and returns its driver and the link its clients
// are on (relay side: Link.Client; server address: Link.ServerIP).
type target struct {
	name  string
	start func(b *testing.B) (dhcp.Server, *dhcptest.Link)
}

// targets are the servers compared, in report order.
var targets = []target{
	{"kea", startKea},
	{"dnsmasq", startDnsmasq},
	{"netalign", startEmbedded},
}

func startKea(b *testing.B) (dhcp.Server, *dhcptest.Link) {
	k := dhcptest.StartKea(b, false)
	b.Setenv("NETALIGN_BENCH_KEA_USER", k.User)
	b.Setenv("NETALIGN_BENCH_KEA_PASS", k.Password)
	s, err := kea.New(context.Background(), inventory.DHCPServer{
		Name: "kea", Kind: kea.Kind, Endpoint: k.Endpoint,
		Credentials: inventory.Credentials{UsernameEnv: "NETALIGN_BENCH_KEA_USER", PasswordEnv: "NETALIGN_BENCH_KEA_PASS"},
	}, nil)
	if err != nil {
		b.Fatal(err)
	}
	return s, k.Link
}

func startDnsmasq(b *testing.B) (dhcp.Server, *dhcptest.Link) {
	d := dhcptest.StartDnsmasq(b, "")
	s, err := dnsmasq.New(context.Background(), inventory.DHCPServer{
		Name: "dnsmasq", Kind: dnsmasq.Kind, Endpoint: "local",
		ConfigPath: filepath.Join(d.ConfDir, "netalign.conf"), RestartCommand: d.RestartCommand,
	}, nil)
	if err != nil {
		b.Fatal(err)
	}
	return s, d.Link
}

// BenchmarkDORA provisions b.N new clients (full DISCOVER-OFFER-REQUEST-ACK
// each, through a relay) on every server in turn, reports each server's
// rate as <server>-dora/s, and logs the ratios between them. ns/op is the
// mean per client over all servers. Run with a fixed client count:
//
//	go test -run '^$' -bench DORA -benchtime 2000x ./dhcp/bench
func BenchmarkDORA(b *testing.B) {
	dhcptest.RequireBinary(b, "perfdhcp", "kea-admin")
	if b.N > 65000 {
		b.Fatalf("b.N %d exceeds the pool; use -benchtime Nx with N <= 65000", b.N)
	}
	rates := make([]float64, len(targets))
	var total float64
	for i, tg := range targets {
		srv, link := tg.start(b)
		if err := srv.Apply(context.Background(), []intent.PoolChange{{Action: intent.Create, Pool: benchPool}}); err != nil {
			b.Fatalf("%s: %v", tg.name, err)
		}
		link.AddRelay(b, benchPool.Relay)
		d, err := dhcptest.Perfdhcp(context.Background(), link.Client, netip.MustParseAddr(benchPool.Relay), link.ServerIP, b.N, net.HardwareAddr{0x02, 0xbe, 0, 0, 0, 0})
		if err != nil {
			b.Fatalf("%s: %v", tg.name, err)
		}
		srv.Close()
		rates[i] = float64(b.N) / d.Seconds()
		total += d.Seconds()
		b.ReportMetric(rates[i], tg.name+"-dora/s")
	}
	b.ReportMetric(total*1e9/float64(b.N*len(targets)), "ns/op")
	if b.N < 100 {
		return // the calibration run; too small to compare
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "DORA throughput, %d clients each:\n", b.N)
	for i, tg := range targets {
		fmt.Fprintf(&sb, "  %-10s %9.1f DORA/s\n", tg.name, rates[i])
	}
	for i := range targets {
		for j := range targets {
			if i < j {
				fmt.Fprintf(&sb, "  %s / %s = %.2f\n", targets[i].name, targets[j].name, rates[i]/rates[j])
			}
		}
	}
	b.Log(sb.String())
}

// startEmbedded runs netalign's built-in server in the server namespace,
// listening for relayed requests on the server address. Its leases are
// written without an fsync per commit, as Kea's memfile and dnsmasq's lease
// file are, so the three do comparable work.
func startEmbedded(b *testing.B) (dhcp.Server, *dhcptest.Link) {
	dhcptest.RequireRoot(b)
	link := dhcptest.NewLink(b)
	dir := b.TempDir()
	cfg := embedded.Config{
		LeaseFile: filepath.Join(dir, "leases.db"), PoolsFile: filepath.Join(dir, "pools.json"),
		ListenAddr: netip.AddrPortFrom(link.ServerIP, 67), ServerID: link.ServerIP,
		NoSync: true, ReloadInterval: 50 * time.Millisecond,
	}
	if err := embedded.WritePools(cfg.PoolsFile, []intent.Pool{}); err != nil {
		b.Fatal(err)
	}
	var srv *embedded.Server
	if err := link.Server.Do(func() error {
		var err error
		srv, err = embedded.NewServer(cfg, slog.New(slog.DiscardHandler))
		return err
	}); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Run(ctx); srv.Close(); close(done) }()
	b.Cleanup(func() { cancel(); <-done })
	drv, err := embedded.New(context.Background(), inventory.DHCPServer{Name: "embedded", Kind: embedded.Kind, ConfigPath: cfg.PoolsFile}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	return &reloadWait{Server: drv, srv: srv}, link
}

// reloadWait applies through the driver (the pools file) and waits until the
// running server has loaded the new pools.
type reloadWait struct {
	dhcp.Server
	srv *embedded.Server
}

func (r *reloadWait) Apply(ctx context.Context, changes []intent.PoolChange) error {
	if err := r.Server.Apply(ctx, changes); err != nil {
		return err
	}
	for range 200 {
		if len(r.srv.Handler().Pools()) > 0 {
			return nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	return fmt.Errorf("embedded server did not load the new pools")
}
