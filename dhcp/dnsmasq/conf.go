package dnsmasq

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/internal/intent"
)

// Header is the first line of the file netalign owns. A file at the
// configured path without it is not netalign's and is never overwritten.
const Header = "# Managed by netalign: rewritten on every apply, edit the inventory instead."

// ErrNotManaged is returned when the configured file exists but was not
// written by netalign.
var ErrNotManaged = errors.New("file is not managed by netalign")

// tagPrefix names dnsmasq's per-pool tag: vlan<id>.
const tagPrefix = "vlan"

// Render writes the dnsmasq configuration of pools, in VLAN order: per pool a
// metadata comment (what dnsmasq cannot hold: the network name, how the
// server reaches the VLAN), its dhcp-range lines tagged vlan<id>, the router,
// DNS and domain options for that tag, and the dhcp-host reservations.
// A pool without gateway or DNS servers gets an empty option, which stops
// dnsmasq from offering its own address instead.
func Render(pools []intent.Pool) []byte {
	var b bytes.Buffer
	b.WriteString(Header + "\n")
	b.WriteString("# dnsmasq selects a pool by the subnet of the receiving interface or of the relay's giaddr.\n")
	for _, p := range pools {
		pfx, err := netip.ParsePrefix(p.Subnet)
		if err != nil {
			continue // ApplyChanges validated every pool; nothing to render here
		}
		tag := tagPrefix + strconv.Itoa(p.VLAN)
		b.WriteString("\n# pool vlan=" + strconv.Itoa(p.VLAN))
		if p.Network != "" {
			b.WriteString(" network=" + p.Network)
		}
		b.WriteString(" subnet=" + p.Subnet)
		if p.Interface != "" {
			b.WriteString(" interface=" + p.Interface)
		}
		if p.Relay != "" {
			b.WriteString(" relay=" + p.Relay)
		}
		b.WriteString("\n")
		mask := net.IP(net.CIDRMask(pfx.Bits(), 32)).String()
		for _, r := range p.Ranges {
			first, last, _ := dhcp.ParseRange(r)
			fmt.Fprintf(&b, "dhcp-range=set:%s,%s,%s,%s", tag, first, last, mask)
			if p.LeaseTime > 0 {
				b.WriteString("," + formatLease(p.LeaseTime))
			}
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "dhcp-option=tag:%s,option:router%s\n", tag, list(p.Gateway))
		fmt.Fprintf(&b, "dhcp-option=tag:%s,option:dns-server%s\n", tag, list(p.DNS...))
		if p.Domain != "" {
			fmt.Fprintf(&b, "dhcp-option=tag:%s,option:domain-name,%s\n", tag, p.Domain)
		}
		for _, r := range p.Reservations {
			mac := r.MAC
			if hw, err := net.ParseMAC(mac); err == nil {
				mac = hw.String()
			}
			fmt.Fprintf(&b, "dhcp-host=%s,%s", mac, r.IP)
			if r.Hostname != "" {
				b.WriteString("," + r.Hostname)
			}
			b.WriteString("\n")
		}
	}
	return b.Bytes()
}

func list(v ...string) string {
	var s string
	for _, x := range v {
		if x != "" {
			s += "," + x
		}
	}
	return s
}

// formatLease writes seconds in the largest unit dnsmasq accepts that is
// exact (w, d, h, m), else in seconds.
func formatLease(sec int) string {
	for _, u := range []struct {
		n int
		s string
	}{{7 * 86400, "w"}, {86400, "d"}, {3600, "h"}, {60, "m"}} {
		if sec%u.n == 0 {
			return strconv.Itoa(sec/u.n) + u.s
		}
	}
	return strconv.Itoa(sec)
}

// parseLease reads a dnsmasq lease time: seconds, or a number with s, m, h,
// d or w, or "infinite" (returned as -1).
func parseLease(s string) (int, error) {
	if s == "infinite" {
		return -1, nil
	}
	mult := 1
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 's', 'S':
			s = s[:n-1]
		case 'm', 'M':
			mult, s = 60, s[:n-1]
		case 'h', 'H':
			mult, s = 3600, s[:n-1]
		case 'd', 'D':
			mult, s = 86400, s[:n-1]
		case 'w', 'W':
			mult, s = 7*86400, s[:n-1]
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("lease time %q", s)
	}
	return v * mult, nil
}

// Parse reads the file netalign owns back into pools (all Owned). An empty
// input is no pools; a file without Header is ErrNotManaged. Lines outside
// netalign's vocabulary are errors: the file is netalign's alone.
func Parse(data []byte) ([]intent.Pool, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	first := true
	byVLAN := map[int]*intent.Pool{}
	var order []int
	pool := func(vlan int) *intent.Pool {
		p, ok := byVLAN[vlan]
		if !ok {
			p = &intent.Pool{VLAN: vlan, Owned: true}
			byVLAN[vlan] = p
			order = append(order, vlan)
		}
		return p
	}
	type host struct {
		r    intent.Reservation
		line int
	}
	var hosts []host
	line := 0
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if first {
			first = false
			if l != Header {
				return nil, ErrNotManaged
			}
			continue
		}
		bad := func(format string, a ...any) error {
			return fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, a...))
		}
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "#") {
			rest, ok := strings.CutPrefix(l, "# pool ")
			if !ok {
				continue
			}
			meta := map[string]string{}
			for _, f := range strings.Fields(rest) {
				k, v, _ := strings.Cut(f, "=")
				meta[k] = v
			}
			vlan, err := strconv.Atoi(meta["vlan"])
			if err != nil {
				return nil, bad("pool comment without vlan")
			}
			p := pool(vlan)
			p.Network, p.Subnet, p.Interface, p.Relay = meta["network"], meta["subnet"], meta["interface"], meta["relay"]
			continue
		}
		key, val, ok := strings.Cut(l, "=")
		if !ok {
			return nil, bad("%q is not a key=value line", l)
		}
		f := strings.Split(val, ",")
		switch key {
		case "dhcp-range":
			vlan, err := tagVLAN(f[0], "set:")
			if err != nil {
				return nil, bad("%v", err)
			}
			if len(f) < 4 {
				return nil, bad("dhcp-range without start, end and netmask")
			}
			start, err1 := netip.ParseAddr(f[1])
			end, err2 := netip.ParseAddr(f[2])
			mask := net.ParseIP(f[3]).To4()
			if err1 != nil || err2 != nil || mask == nil {
				return nil, bad("dhcp-range %q", val)
			}
			bits, _ := net.IPMask(mask).Size()
			p := pool(vlan)
			if p.Subnet == "" {
				p.Subnet = netip.PrefixFrom(start, bits).Masked().String()
			}
			p.Ranges = append(p.Ranges, dhcp.FormatRange(start, end))
			if len(f) > 4 {
				lt, err := parseLease(f[4])
				if err != nil {
					return nil, bad("%v", err)
				}
				p.LeaseTime = lt
			}
		case "dhcp-option":
			vlan, err := tagVLAN(f[0], "tag:")
			if err != nil {
				return nil, bad("%v", err)
			}
			if len(f) < 2 {
				return nil, bad("dhcp-option without option")
			}
			p := pool(vlan)
			args := f[2:]
			switch f[1] {
			case "option:router", "3":
				if len(args) > 0 {
					p.Gateway = args[0]
				}
			case "option:dns-server", "6":
				if len(args) > 0 {
					p.DNS = append([]string(nil), args...)
				}
			case "option:domain-name", "15":
				p.Domain = strings.Join(args, ",")
			default:
				return nil, bad("dhcp-option %s is not one netalign writes", f[1])
			}
		case "dhcp-host":
			r, err := parseHost(f)
			if err != nil {
				return nil, bad("%v", err)
			}
			hosts = append(hosts, host{r, line})
		default:
			return nil, bad("%s is not a directive netalign writes", key)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	out := make([]intent.Pool, 0, len(order))
	for _, v := range order {
		out = append(out, *byVLAN[v])
	}
	for _, h := range hosts {
		ip, _ := netip.ParseAddr(h.r.IP)
		placed := false
		for i := range out {
			if pfx, err := netip.ParsePrefix(out[i].Subnet); err == nil && pfx.Contains(ip) {
				out[i].Reservations = append(out[i].Reservations, h.r)
				placed = true
				break
			}
		}
		if !placed {
			return nil, fmt.Errorf("line %d: reservation %s is in no pool's subnet", h.line, h.r.IP)
		}
	}
	dhcp.SortPools(out)
	return out, nil
}

func tagVLAN(f, prefix string) (int, error) {
	t, ok := strings.CutPrefix(f, prefix+tagPrefix)
	if !ok {
		return 0, fmt.Errorf("%q: want %s%s<vlan id>", f, prefix, tagPrefix)
	}
	v, err := strconv.Atoi(t)
	if err != nil {
		return 0, fmt.Errorf("%q: want %s%s<vlan id>", f, prefix, tagPrefix)
	}
	return v, nil
}

// parseHost reads dhcp-host=<mac>,[<ip>],[<hostname>],[<lease>] in any
// order after the MAC, as dnsmasq accepts it.
func parseHost(f []string) (intent.Reservation, error) {
	hw, err := net.ParseMAC(strings.TrimSpace(f[0]))
	if err != nil {
		return intent.Reservation{}, fmt.Errorf("dhcp-host %q: first field is not a MAC address", strings.Join(f, ","))
	}
	r := intent.Reservation{MAC: hw.String()}
	for _, x := range f[1:] {
		x = strings.TrimSpace(x)
		if a, err := netip.ParseAddr(x); err == nil && a.Is4() {
			r.IP = a.String()
			continue
		}
		if _, err := parseLease(x); err == nil {
			continue
		}
		r.Hostname = x
	}
	if r.IP == "" {
		return r, fmt.Errorf("dhcp-host %q: no IPv4 address", strings.Join(f, ","))
	}
	return r, nil
}

// validate adds dnsmasq's own constraints to dhcp.ValidatePool: leases of at
// least two minutes (dnsmasq silently raises shorter ones), and a relay inside
// the pool's subnet, since dnsmasq picks a relayed request's range by the
// relay's address.
func validate(p intent.Pool) error {
	if p.LeaseTime > 0 && p.LeaseTime < 120 {
		return fmt.Errorf("vlan %d: %w: lease time %ds is below dnsmasq's minimum of 120s", p.VLAN, dhcp.ErrInvalidPool, p.LeaseTime)
	}
	if p.Relay == "" {
		return nil
	}
	pfx := netip.MustParsePrefix(p.Subnet)
	if a := netip.MustParseAddr(p.Relay); !pfx.Contains(a) {
		return fmt.Errorf("vlan %d: %w: relay %s is outside subnet %s (dnsmasq selects the range by the relay address)", p.VLAN, dhcp.ErrInvalidPool, p.Relay, p.Subnet)
	}
	return nil
}
