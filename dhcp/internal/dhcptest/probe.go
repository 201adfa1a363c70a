package dhcptest

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/netalign/netalign/dhcp/probe"
	"github.com/netalign/netalign/internal/intent"
)

// ProbeRelay runs netalign's DHCP probe in relay mode from inside ns through
// the pool's relay address against server: DISCOVER, OFFER, REQUEST, ACK and
// RELEASE, the answers checked against the pool.
func ProbeRelay(ctx context.Context, ns *Netns, p intent.Pool, server netip.Addr) (*probe.Result, error) {
	relay, err := netip.ParseAddr(p.Relay)
	if err != nil {
		return nil, fmt.Errorf("vlan %d: relay %q: %w", p.VLAN, p.Relay, err)
	}
	var res *probe.Result
	err = ns.Do(func() error {
		var err error
		res, err = probe.Probe(ctx, probe.Options{
			Relay:   netip.AddrPortFrom(relay, 0),
			Server:  netip.AddrPortFrom(server, 0),
			Expect:  &p,
			Release: true,
		})
		return err
	})
	return res, err
}

// ProbePool runs the relay probe (full DORA and release) from the link's
// client namespace through the pool's relay to the link's server, and fails
// t on any finding.
func ProbePool(t testing.TB, link *Link, p intent.Pool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := ProbeRelay(ctx, link.Client, p, link.ServerIP)
	if err != nil {
		t.Fatalf("vlan %d: probe: %v", p.VLAN, err)
	}
	if !res.OK() || res.Ack == nil || !res.Released {
		t.Errorf("vlan %d: probe: ack %v released %v findings %+v", p.VLAN, res.Ack, res.Released, res.Findings)
	}
}
