package dhcptest

import (
	"context"
	"fmt"
	"net/netip"

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
