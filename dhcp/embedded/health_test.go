package embedded_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netalign/netalign/dhcp/embedded"
	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

// silentUDP is a UDP socket on loopback that reads and never answers.
func silentUDP(t *testing.T) netip.AddrPort {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			if _, _, err := c.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { c.Close(); <-done })
	return c.LocalAddr().(*net.UDPAddr).AddrPort()
}

// wantCause checks err's cause and that it says what the brief promises.
func wantCause(t *testing.T, err error, code cause.Code, says ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want %s", code)
	}
	if got := cause.Of(err); got != code {
		t.Errorf("cause %s, want %s (%v)", got, code, err)
	}
	for _, s := range says {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%q does not say %q", err.Error(), s)
		}
	}
}

func TestPing(t *testing.T) {
	dir := t.TempDir()
	l := startLoopback(t, embedded.Config{LeaseFile: filepath.Join(dir, "leases.db")}) // no pools at all
	ctx := context.Background()
	if err := embedded.Ping(ctx, l.server); err != nil {
		t.Fatalf("running server: %v", err)
	}
	if n := len(l.srv.Handler().Leases()); n != 0 {
		t.Errorf("a liveness request left %d leases", n)
	}

	l.stop()
	start := time.Now()
	err := embedded.Ping(ctx, l.server)
	wantCause(t, err, cause.Unreachable, "the built-in DHCP server is not answering on "+l.server.String()+": is `netalign dhcp serve` running?")
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("a closed port took %v to report", took)
	}

	// Something on the port that never answers: TIMEOUT at the deadline,
	// not later.
	silent := silentUDP(t)
	tctx, cancel := context.WithTimeout(ctx, 700*time.Millisecond)
	defer cancel()
	start = time.Now()
	err = embedded.Ping(tctx, silent)
	wantCause(t, err, cause.Timeout, "not answering on "+silent.String())
	if took := time.Since(start); took < 600*time.Millisecond || took > 2*time.Second {
		t.Errorf("took %v, want the 700ms deadline", took)
	}

	cctx, ccancel := context.WithCancel(ctx)
	ccancel()
	if err := embedded.Ping(cctx, silent); err == nil || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled", err)
	}
}

// TestDriverObserveChecksTheServer: Observe fails with the cause when the
// built-in server does not run, asking its endpoint or, without one,
// looking at its lease file; the pools file alone is not enough.
func TestDriverObserveChecksTheServer(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		endpoint bool
		says     string
	}{
		{"endpoint", true, "is not answering on 127.0.0.1:"},
		{"lease file", false, "no process holds its lease file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			entry := inventory.DHCPServer{Name: "builtin", Kind: embedded.Kind, LeaseFile: filepath.Join(dir, "leases.db"),
				ConfigPath: filepath.Join(dir, "pools.json")}
			l := startLoopback(t, embedded.Config{Pools: []intent.Pool{relayPool()}, LeaseFile: entry.LeaseFile, PoolsFile: entry.ConfigPath})
			if tc.endpoint {
				entry.Endpoint = l.server.String()
			}
			drv, err := embedded.New(ctx, entry, logger(t))
			if err != nil {
				t.Fatal(err)
			}
			pools, err := drv.Observe(ctx)
			if err != nil || len(pools) != 1 {
				t.Fatalf("running server: %v, %v", pools, err)
			}
			l.stop()
			_, err = drv.Observe(ctx)
			wantCause(t, err, cause.Unreachable, tc.says, "is `netalign dhcp serve` running?")
		})
	}
	t.Run("silent endpoint", func(t *testing.T) {
		dir := t.TempDir()
		drv, err := embedded.New(ctx, inventory.DHCPServer{Name: "builtin", Kind: embedded.Kind, LeaseFile: filepath.Join(dir, "leases.db"),
			Endpoint: silentUDP(t).String()}, logger(t))
		if err != nil {
			t.Fatal(err)
		}
		tctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel()
		_, err = drv.Observe(tctx)
		wantCause(t, err, cause.Timeout, "is `netalign dhcp serve` running?")
	})
}
