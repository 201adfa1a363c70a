package main

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/netalign/netalign/dhcp/probe"
	"github.com/netalign/netalign/internal/validate"
	"github.com/netalign/netalign/inventory"
)

// probeDHCP sends a live DISCOVER for every pool of the inventory: from the
// interface given for its VLAN by --probe-interface VID=IFACE, else as a
// relay agent from the pool's relay address to the pool's server.
func (a *app) probeDHCP(ctx context.Context, s *session, ifaces []string) ([]validate.Finding, error) {
	byVLAN := map[int]string{}
	for _, spec := range ifaces {
		vid, ifc, ok := strings.Cut(spec, "=")
		n, err := strconv.Atoi(vid)
		if !ok || err != nil || ifc == "" {
			return nil, fmt.Errorf("--probe-interface %q: want VLAN=INTERFACE, e.g. 100=eth1.100", spec)
		}
		byVLAN[n] = ifc
	}
	var out []validate.Finding
	for _, dd := range s.desired.DHCP {
		entry := s.inv.DHCPServer(dd.Server)
		for _, pool := range dd.Pools {
			p := pool
			opts := probe.Options{Expect: &p}
			switch {
			case byVLAN[p.VLAN] != "":
				opts.Interface = byVLAN[p.VLAN]
			case p.Relay != "":
				relay, err := netip.ParseAddr(p.Relay)
				if err != nil {
					return nil, fmt.Errorf("vlan %d: relay %q: %w", p.VLAN, p.Relay, err)
				}
				server, err := serverAddr(entry)
				if err != nil {
					return nil, err
				}
				opts.Relay, opts.Server = netip.AddrPortFrom(relay, 67), server
			default:
				a.log.Warn("DHCP probe skipped: no --probe-interface for the VLAN and no relay address", "vlan", p.VLAN)
				continue
			}
			object := fmt.Sprintf("vlan %d", p.VLAN)
			res, err := probe.Probe(ctx, opts)
			if err != nil {
				// No answer is a finding (in res); an error is the probe
				// itself failing here (a socket it cannot bind, an
				// interface it cannot use): nothing is known of the server.
				return nil, &probeError{vlan: p.VLAN, err: err}
			}
			for _, f := range res.Findings {
				out = append(out, validate.Finding{Code: validate.Code(f.Code), Severity: validate.SeverityError, Device: dd.Server,
					Object: object + " " + f.Object, Expected: f.Expected, Found: f.Found, Message: f.Message})
			}
		}
	}
	return out, nil
}

// serverAddr is where a relay agent sends to reach a DHCP server entry: the
// host of its endpoint, port 67 unless the endpoint names one (the built-in
// server).
func serverAddr(s *inventory.DHCPServer) (netip.AddrPort, error) {
	if s == nil {
		return netip.AddrPort{}, fmt.Errorf("no DHCP server entry")
	}
	host := s.Endpoint
	port := uint16(67)
	if u, err := url.Parse(s.Endpoint); err == nil && u.Host != "" {
		host = u.Hostname()
	} else if h, p, err := net.SplitHostPort(s.Endpoint); err == nil {
		host = h
		n, err := strconv.Atoi(p)
		if err != nil {
			return netip.AddrPort{}, fmt.Errorf("%s: endpoint %q: %w", s.Name, s.Endpoint, err)
		}
		port = uint16(n)
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%s: endpoint %q: the probe needs an IP address", s.Name, s.Endpoint)
	}
	return netip.AddrPortFrom(addr, port), nil
}

// probeError is the DHCP probe failing locally: validate cannot say
// anything of the server and exits 2 with PROBE_FAILED.
type probeError struct {
	vlan int
	err  error
}

func (e *probeError) Error() string {
	return fmt.Sprintf("the DHCP probe of vlan %d could not run here: %v", e.vlan, e.err)
}

func (e *probeError) Unwrap() error { return e.err }
