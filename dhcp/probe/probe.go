package probe

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"
	"golang.org/x/sys/unix"

	"github.com/netalign/netalign/internal/intent"
)

// Defaults of Options.
const (
	DefaultTimeout = 2 * time.Second
	DefaultRetries = 2
)

// Options says how to probe. Set exactly one of Interface and Relay.
type Options struct {
	// Interface probes as a client on this (unconfigured) interface.
	Interface string
	// Relay probes as a relay agent: the DISCOVER carries giaddr =
	// Relay.Addr() and is sent from a socket bound to Relay (port 67 when
	// zero), where the reply arrives.
	Relay netip.AddrPort
	// Server is where relay mode sends (port 67 when zero).
	Server netip.AddrPort
	// HWAddr is the client MAC. Default: the interface's MAC in interface
	// mode; in relay mode a locally administered MAC derived from the relay
	// and server addresses, so repeated probes reuse one lease.
	HWAddr net.HardwareAddr
	// Expect is the pool the answer must match; nil: only an offer is
	// required.
	Expect *intent.Pool
	// DORA completes the exchange with REQUEST → ACK.
	DORA bool
	// Release releases the acknowledged lease afterwards (implies DORA). In
	// interface mode the RELEASE is broadcast: the interface has no address
	// to send a unicast from.
	Release bool
	// Timeout is the wait for the first answer, doubled at each retry
	// (DefaultTimeout when zero).
	Timeout time.Duration
	// Retries is how many times a message is sent (DefaultRetries when zero).
	Retries int
}

// Result is what a probe saw.
type Result struct {
	// Mode is "interface" or "relay".
	Mode string `json:"mode"`
	// Via is the interface or the relay address.
	Via      string    `json:"via"`
	MAC      string    `json:"mac"`
	Offer    *Answer   `json:"offer,omitempty"`
	Ack      *Answer   `json:"ack,omitempty"`
	Released bool      `json:"released,omitempty"`
	Findings []Finding `json:"findings,omitempty"`
}

// OK reports whether the probe found nothing wrong.
func (r *Result) OK() bool { return len(r.Findings) == 0 }

// Probe runs one probe. The sockets are opened from the calling goroutine,
// so a caller that locked its thread into a network namespace probes from
// there.
func Probe(ctx context.Context, opts Options) (*Result, error) {
	if (opts.Interface == "") == !opts.Relay.IsValid() {
		return nil, errors.New("dhcp probe: set exactly one of interface and relay")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Retries <= 0 {
		opts.Retries = DefaultRetries
	}
	if opts.Release {
		opts.DORA = true
	}
	copts := []nclient4.ClientOpt{nclient4.WithTimeout(opts.Timeout), nclient4.WithRetry(opts.Retries)}
	var (
		client *nclient4.Client
		conn   net.PacketConn
		// releaseTo is where RELEASE goes: the server in relay mode; the
		// broadcast address from an unconfigured interface, whose source
		// address 0.0.0.0 a server's kernel drops on a unicast packet.
		releaseTo *net.UDPAddr
		mods      []dhcpv4.Modifier
		res       = &Result{}
		err       error
	)
	if opts.Interface != "" {
		res.Mode, res.Via = "interface", opts.Interface
		hw := opts.HWAddr
		if hw == nil {
			ifc, err := net.InterfaceByName(opts.Interface)
			if err != nil {
				return nil, fmt.Errorf("dhcp probe on %s: %w", opts.Interface, err)
			}
			hw = ifc.HardwareAddr
		}
		conn, err = nclient4.NewRawUDPConn(opts.Interface, dhcpv4.ClientPort)
		if err != nil {
			return nil, fmt.Errorf("dhcp probe on %s: %w", opts.Interface, err)
		}
		client, err = nclient4.NewWithConn(conn, hw, copts...)
		if err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("dhcp probe on %s: %w", opts.Interface, err)
		}
		releaseTo = &net.UDPAddr{IP: net.IPv4bcast, Port: dhcpv4.ServerPort}
	} else {
		relay := opts.Relay
		if relay.Port() == 0 {
			relay = netip.AddrPortFrom(relay.Addr(), dhcpv4.ServerPort)
		}
		server := opts.Server
		if !server.IsValid() {
			return nil, fmt.Errorf("dhcp probe via relay %s: no server address", relay)
		}
		if server.Port() == 0 {
			server = netip.AddrPortFrom(server.Addr(), dhcpv4.ServerPort)
		}
		if !relay.Addr().Is4() || relay.Addr().IsUnspecified() {
			return nil, fmt.Errorf("dhcp probe via relay %s: relay must be a unicast IPv4 address", relay)
		}
		res.Mode, res.Via = "relay", relay.String()
		hw := opts.HWAddr
		if hw == nil {
			hw = relayMAC(relay, server)
		}
		conn, err = ListenRelay(ctx, relay)
		if err != nil {
			return nil, err
		}
		copts = append(copts, nclient4.WithServerAddr(net.UDPAddrFromAddrPort(server)))
		client, err = nclient4.NewWithConn(conn, hw, copts...)
		if err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("dhcp probe via relay %s: %w", relay, err)
		}
		mods = append(mods, dhcpv4.WithGatewayIP(relay.Addr().AsSlice()), withHops(1))
		releaseTo = net.UDPAddrFromAddrPort(server)
	}
	defer client.Close()
	res.MAC = client.InterfaceAddr().String()

	offer, err := client.DiscoverOffer(ctx, mods...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("dhcp probe via %s: %w", res.Via, ctx.Err())
		}
		if !errors.Is(err, nclient4.ErrNoResponse) {
			return nil, fmt.Errorf("dhcp probe via %s: discover: %w", res.Via, err)
		}
		res.Findings = append(res.Findings, Finding{Code: CodeNoOffer, Object: "offer",
			Message: fmt.Sprintf("no DHCPOFFER via %s after %d attempts", res.Via, opts.Retries)})
		return res, nil
	}
	o := Decode(offer)
	res.Offer = &o
	if opts.Expect != nil {
		res.Findings = append(res.Findings, Check(o, *opts.Expect, res.MAC)...)
	}
	if !opts.DORA {
		return res, nil
	}
	lease, err := client.RequestFromOffer(ctx, offer, mods...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("dhcp probe via %s: %w", res.Via, ctx.Err())
		}
		var nak *nclient4.ErrNak
		if !errors.As(err, &nak) && !errors.Is(err, nclient4.ErrNoResponse) {
			return nil, fmt.Errorf("dhcp probe via %s: request: %w", res.Via, err)
		}
		res.Findings = append(res.Findings, Finding{Code: CodeNoOffer, Object: "ack", Expected: o.Address.String(),
			Message: fmt.Sprintf("server did not acknowledge its own offer of %s: %v", o.Address, err)})
		return res, nil
	}
	a := Decode(lease.ACK)
	res.Ack = &a
	if a.Address != o.Address {
		res.Findings = append(res.Findings, Finding{Code: CodePoolMismatch, Object: "ack", Expected: o.Address.String(),
			Found: a.Address.String(), Message: "acknowledged address differs from the offer"})
	}
	if !opts.Release {
		return res, nil
	}
	rel, err := dhcpv4.NewReleaseFromACK(lease.ACK)
	if err == nil {
		_, err = conn.WriteTo(rel.ToBytes(), releaseTo)
	}
	if err != nil {
		return nil, fmt.Errorf("dhcp probe via %s: release: %w", res.Via, err)
	}
	res.Released = true
	return res, nil
}

func withHops(n uint8) dhcpv4.Modifier {
	return func(d *dhcpv4.DHCPv4) { d.HopCount = n }
}

// relayMAC derives a locally administered unicast MAC from the probe's
// addresses.
func relayMAC(relay, server netip.AddrPort) net.HardwareAddr {
	sum := sha256.Sum256([]byte(relay.String() + ">" + server.String()))
	return net.HardwareAddr{0x02, 0x6e, 0x61, sum[0], sum[1], sum[2]}
}

// ListenRelay opens the UDP socket of a relay agent on addr (SO_REUSEADDR, so
// that it coexists with a DHCP server bound to the wildcard address on the
// same port). Relay-mode probes and load generators use it.
func ListenRelay(ctx context.Context, addr netip.AddrPort) (*net.UDPConn, error) {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	pc, err := lc.ListenPacket(ctx, "udp4", addr.String())
	if err != nil {
		return nil, fmt.Errorf("dhcp relay socket %s: %w", addr, err)
	}
	return pc.(*net.UDPConn), nil
}
