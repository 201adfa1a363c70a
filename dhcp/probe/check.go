package probe

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/netalign/netalign/internal/intent"
)

// Finding codes, as documented for validate.
const (
	CodeNoOffer      = "DHCP_NO_OFFER"
	CodeWrongSubnet  = "DHCP_WRONG_SUBNET"
	CodePoolMismatch = "DHCP_POOL_MISMATCH"
)

// Finding is one problem the probe saw.
type Finding struct {
	Code string `json:"code"`
	// Object is what is wrong: "offer", "address", "router", "dns",
	// "subnet-mask", "domain", "ack".
	Object   string `json:"object"`
	Expected string `json:"expected,omitempty"`
	Found    string `json:"found,omitempty"`
	Message  string `json:"message"`
}

// Answer is what a server answered, decoded.
type Answer struct {
	Type       string       `json:"type"`
	Address    netip.Addr   `json:"address"`
	ServerID   netip.Addr   `json:"serverId"`
	SubnetMask int          `json:"subnetMaskBits"`
	Routers    []netip.Addr `json:"routers,omitempty"`
	DNS        []netip.Addr `json:"dns,omitempty"`
	Domain     string       `json:"domain,omitempty"`
	LeaseTime  int          `json:"leaseTimeSeconds,omitempty"`
}

func toAddrs(ips []net.IP) []netip.Addr {
	var out []netip.Addr
	for _, ip := range ips {
		if a, ok := netip.AddrFromSlice(ip.To4()); ok {
			out = append(out, a)
		}
	}
	return out
}

func toAddr(ip net.IP) netip.Addr {
	a, _ := netip.AddrFromSlice(ip.To4())
	return a
}

// Decode extracts the fields the probe checks from a server message.
func Decode(m *dhcpv4.DHCPv4) Answer {
	a := Answer{
		Type:     m.MessageType().String(),
		Address:  toAddr(m.YourIPAddr),
		ServerID: toAddr(m.ServerIdentifier()),
		Routers:  toAddrs(m.Router()),
		DNS:      toAddrs(m.DNS()),
		Domain:   m.DomainName(),
	}
	if mask := m.SubnetMask(); mask != nil {
		a.SubnetMask, _ = mask.Size()
	}
	a.LeaseTime = int(m.IPAddressLeaseTime(0).Seconds())
	return a
}

func joinAddrs(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, ",")
}

// Check compares an answer with the expected pool and returns the findings
// (none when it matches). mac is the probing client's MAC, so that an
// address reserved for it counts as inside the pool.
func Check(ans Answer, want intent.Pool, mac string) []Finding {
	var out []Finding
	prefix, err := netip.ParsePrefix(strings.TrimSpace(want.Subnet))
	if err != nil {
		return []Finding{{Code: CodePoolMismatch, Object: "subnet", Expected: want.Subnet,
			Message: fmt.Sprintf("expected subnet %q is not a CIDR", want.Subnet)}}
	}
	prefix = prefix.Masked()
	if !prefix.Contains(ans.Address) {
		out = append(out, Finding{Code: CodeWrongSubnet, Object: "address", Expected: prefix.String(),
			Found: ans.Address.String(), Message: fmt.Sprintf("offered %s is outside subnet %s", ans.Address, prefix)})
	} else if !inPool(ans.Address, want, mac) {
		out = append(out, Finding{Code: CodePoolMismatch, Object: "address", Expected: strings.Join(want.Ranges, ","),
			Found: ans.Address.String(), Message: fmt.Sprintf("offered %s is outside the pool's ranges", ans.Address)})
	}
	if ans.SubnetMask != 0 && ans.SubnetMask != prefix.Bits() {
		out = append(out, Finding{Code: CodePoolMismatch, Object: "subnet-mask", Expected: fmt.Sprintf("/%d", prefix.Bits()),
			Found: fmt.Sprintf("/%d", ans.SubnetMask), Message: "subnet mask option differs from the subnet"})
	}
	if want.Gateway != "" {
		if len(ans.Routers) == 0 || ans.Routers[0].String() != strings.TrimSpace(want.Gateway) {
			out = append(out, Finding{Code: CodePoolMismatch, Object: "router", Expected: want.Gateway,
				Found: joinAddrs(ans.Routers), Message: "router option differs from the gateway"})
		}
	}
	if len(want.DNS) > 0 {
		exp := make([]string, len(want.DNS))
		for i, d := range want.DNS {
			exp[i] = strings.TrimSpace(d)
		}
		if got := joinAddrs(ans.DNS); got != strings.Join(exp, ",") {
			out = append(out, Finding{Code: CodePoolMismatch, Object: "dns", Expected: strings.Join(exp, ","),
				Found: got, Message: "DNS servers option differs"})
		}
	}
	if want.Domain != "" && ans.Domain != want.Domain {
		out = append(out, Finding{Code: CodePoolMismatch, Object: "domain", Expected: want.Domain,
			Found: ans.Domain, Message: "domain name option differs"})
	}
	return out
}

// inPool reports whether a is in one of the pool's ranges or is the
// reservation of mac.
func inPool(a netip.Addr, p intent.Pool, mac string) bool {
	for _, r := range p.Reservations {
		if hw, err := net.ParseMAC(r.MAC); err == nil && hw.String() == mac && strings.TrimSpace(r.IP) == a.String() {
			return true
		}
	}
	for _, r := range p.Ranges {
		first, last, ok := strings.Cut(r, "-")
		if !ok {
			last = first
		}
		f, err1 := netip.ParseAddr(strings.TrimSpace(first))
		l, err2 := netip.ParseAddr(strings.TrimSpace(last))
		if err1 == nil && err2 == nil && !a.Less(f) && !l.Less(a) {
			return true
		}
	}
	return false
}
