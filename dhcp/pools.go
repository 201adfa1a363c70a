package dhcp

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/netalign/netalign/internal/intent"
)

// ErrPoolConflict is returned when a change does not fit the pools the server
// holds: creating a pool that exists, updating or deleting one that does not,
// or touching a pool netalign does not own. The plan is stale; plan again.
var ErrPoolConflict = errors.New("pool conflict")

// ErrInvalidPool is returned for a pool that no server could serve as given.
var ErrInvalidPool = errors.New("invalid pool")

// ApplyChanges returns the pools netalign owns on a server after changes,
// sorted by VLAN id and all marked Owned. owned are the pools the server
// holds for netalign now. Pools are identified by VLAN id. Every resulting
// pool is validated; the first problem is returned and nothing is changed.
func ApplyChanges(owned []intent.Pool, changes []intent.PoolChange) ([]intent.Pool, error) {
	byVLAN := make(map[int]intent.Pool, len(owned))
	for _, p := range owned {
		byVLAN[p.VLAN] = p
	}
	seen := map[int]bool{}
	for _, c := range changes {
		v := c.Pool.VLAN
		if seen[v] {
			return nil, fmt.Errorf("vlan %d: %w: more than one change in one transaction", v, ErrPoolConflict)
		}
		seen[v] = true
		_, exists := byVLAN[v]
		switch c.Action {
		case intent.Create:
			if exists {
				return nil, fmt.Errorf("vlan %d: create: %w: the server already holds this pool", v, ErrPoolConflict)
			}
			byVLAN[v] = c.Pool
		case intent.Update:
			if !exists {
				return nil, fmt.Errorf("vlan %d: update: %w: the server holds no pool netalign owns for this vlan", v, ErrPoolConflict)
			}
			byVLAN[v] = c.Pool
		case intent.Delete:
			if !exists {
				return nil, fmt.Errorf("vlan %d: delete: %w: the server holds no pool netalign owns for this vlan", v, ErrPoolConflict)
			}
			delete(byVLAN, v)
		default:
			return nil, fmt.Errorf("vlan %d: unknown action %q", v, c.Action)
		}
	}
	out := make([]intent.Pool, 0, len(byVLAN))
	for _, p := range byVLAN {
		p.Owned = true
		out = append(out, p)
	}
	SortPools(out)
	for _, p := range out {
		if err := ValidatePool(p); err != nil {
			return nil, err
		}
	}
	if err := checkOverlap(out); err != nil {
		return nil, err
	}
	return out, nil
}

// CheckUnowned returns an ErrPoolConflict error when a pool netalign owns
// would collide with one it does not: the same VLAN id (a Kea subnet id) or
// the same subnet.
func CheckUnowned(owned, unowned []intent.Pool) error {
	for _, o := range owned {
		for _, u := range unowned {
			if u.VLAN == o.VLAN {
				return fmt.Errorf("vlan %d: %w: the server has a pool netalign does not own with this id (subnet %s)", o.VLAN, ErrPoolConflict, u.Subnet)
			}
			if u.Subnet != "" && u.Subnet == o.Subnet {
				return fmt.Errorf("vlan %d: %w: subnet %s is already served by a pool netalign does not own", o.VLAN, ErrPoolConflict, o.Subnet)
			}
		}
	}
	return nil
}

// SortPools orders pools by VLAN id, then subnet.
func SortPools(p []intent.Pool) {
	slices.SortStableFunc(p, func(a, b intent.Pool) int {
		if a.VLAN != b.VLAN {
			return a.VLAN - b.VLAN
		}
		return strings.Compare(a.Subnet, b.Subnet)
	})
}

// ParseRange parses an address range written "first-last" (spaces around
// the dash are allowed, as Kea writes them).
func ParseRange(s string) (first, last netip.Addr, err error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return first, last, fmt.Errorf("range %q: want first-last", s)
	}
	first, err = netip.ParseAddr(strings.TrimSpace(a))
	if err != nil {
		return first, last, fmt.Errorf("range %q: %w", s, err)
	}
	last, err = netip.ParseAddr(strings.TrimSpace(b))
	if err != nil {
		return first, last, fmt.Errorf("range %q: %w", s, err)
	}
	if !first.Is4() || !last.Is4() {
		return first, last, fmt.Errorf("range %q: not IPv4", s)
	}
	if last.Less(first) {
		return first, last, fmt.Errorf("range %q: last address before first", s)
	}
	return first, last, nil
}

// FormatRange writes a range the way pools carry it: "first-last".
func FormatRange(first, last netip.Addr) string { return first.String() + "-" + last.String() }

// PrefixRange returns the usable range of a prefix written as a Kea pool
// ("192.0.2.0/26"): every address of it, as Kea hands them out.
func PrefixRange(p netip.Prefix) (first, last netip.Addr) {
	p = p.Masked()
	first = p.Addr()
	b := first.As4()
	host := 32 - p.Bits()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	if host > 0 {
		v |= (uint32(1) << host) - 1
	}
	last = netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	return first, last
}

// ValidatePool checks that a pool is consistent and that every text field is
// safe to place in a configuration file: ranges, gateway, relay and
// reservations inside the subnet, no control characters or separators in
// names.
func ValidatePool(p intent.Pool) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("vlan %d: %w: %s", p.VLAN, ErrInvalidPool, fmt.Sprintf(format, a...))
	}
	if p.VLAN < 1 || p.VLAN > 4094 {
		return bad("vlan id must be 1-4094")
	}
	if !safeName(p.Network, 64) {
		return bad("network name %q: only letters, digits, '.', '_' and '-' are allowed", p.Network)
	}
	pfx, err := netip.ParsePrefix(p.Subnet)
	if err != nil || !pfx.Addr().Is4() {
		return bad("subnet %q is not an IPv4 prefix", p.Subnet)
	}
	if pfx.Masked() != pfx {
		return bad("subnet %q has host bits set (want %s)", p.Subnet, pfx.Masked())
	}
	if len(p.Ranges) == 0 {
		return bad("no address range")
	}
	type span struct{ a, b netip.Addr }
	var spans []span
	for _, r := range p.Ranges {
		a, b, err := ParseRange(r)
		if err != nil {
			return bad("%v", err)
		}
		if !pfx.Contains(a) || !pfx.Contains(b) {
			return bad("range %s is outside subnet %s", r, p.Subnet)
		}
		for _, s := range spans {
			if !(b.Less(s.a) || s.b.Less(a)) {
				return bad("range %s overlaps range %s-%s", r, s.a, s.b)
			}
		}
		spans = append(spans, span{a, b})
	}
	inRange := func(ip netip.Addr) bool {
		for _, s := range spans {
			if !ip.Less(s.a) && !s.b.Less(ip) {
				return true
			}
		}
		return false
	}
	if p.Gateway != "" {
		gw, err := netip.ParseAddr(p.Gateway)
		if err != nil || !gw.Is4() {
			return bad("gateway %q is not an IPv4 address", p.Gateway)
		}
		if !pfx.Contains(gw) {
			return bad("gateway %s is outside subnet %s", gw, p.Subnet)
		}
		if inRange(gw) {
			return bad("gateway %s is inside the address range", gw)
		}
	}
	for _, d := range p.DNS {
		if a, err := netip.ParseAddr(d); err != nil || !a.Is4() {
			return bad("dns server %q is not an IPv4 address", d)
		}
	}
	if p.Domain != "" && !safeHostname(p.Domain) {
		return bad("domain %q is not a valid domain name", p.Domain)
	}
	if p.LeaseTime < 0 {
		return bad("negative lease time")
	}
	if p.Relay != "" {
		if a, err := netip.ParseAddr(p.Relay); err != nil || !a.Is4() {
			return bad("relay %q is not an IPv4 address", p.Relay)
		}
	}
	if p.Interface != "" {
		if err := CheckInterface(p.Interface); err != nil {
			return bad("%v", err)
		}
	}
	macs, ips := map[string]bool{}, map[string]bool{}
	for _, r := range p.Reservations {
		hw, err := net.ParseMAC(r.MAC)
		if err != nil || len(hw) != 6 {
			return bad("reservation MAC %q is not an Ethernet address", r.MAC)
		}
		ip, err := netip.ParseAddr(r.IP)
		if err != nil || !pfx.Contains(ip) {
			return bad("reservation %s: address %q is not in subnet %s", r.MAC, r.IP, p.Subnet)
		}
		if r.Hostname != "" {
			if err := CheckHostname(r.Hostname); err != nil {
				return bad("reservation %s: %v", r.MAC, err)
			}
		}
		if macs[hw.String()] {
			return bad("reservation MAC %s appears twice", hw)
		}
		if ips[ip.String()] {
			return bad("reservation address %s appears twice", ip)
		}
		macs[hw.String()], ips[ip.String()] = true, true
	}
	return nil
}

// CheckInterface returns an error unless name can stand in a server's
// configuration as a pool's interface: a Linux interface name (at most 15
// bytes) of ASCII letters, digits, '.', '_' and '-', so no quote, '$',
// backslash, control, bidi or zero-width character reaches a file.
// ValidatePool applies it, and inventory check through
// Registry.Inventory.
func CheckInterface(name string) error {
	if name == "" || !safeName(name, 15) {
		return fmt.Errorf("interface %q is not a valid interface name: at most 15 letters, digits, '.', '_' or '-'", name)
	}
	return nil
}

// CheckHostname returns an error unless name can stand in a server's
// configuration as a reservation's host name: a DNS name of letters, digits
// and '-' (no '_'). ValidatePool applies it, and inventory check through
// Registry.Inventory.
func CheckHostname(name string) error {
	if !safeHostname(name) {
		return fmt.Errorf("hostname %q is not a valid host name: DNS labels of letters, digits and '-'", name)
	}
	return nil
}

func checkOverlap(pools []intent.Pool) error {
	for i := range pools {
		a := netip.MustParsePrefix(pools[i].Subnet)
		for j := i + 1; j < len(pools); j++ {
			b := netip.MustParsePrefix(pools[j].Subnet)
			if a.Overlaps(b) {
				return fmt.Errorf("vlan %d: %w: subnet %s overlaps subnet %s of vlan %d", pools[j].VLAN, ErrInvalidPool, b, a, pools[i].VLAN)
			}
		}
	}
	return nil
}

// safeName accepts empty or [A-Za-z0-9._-] names up to max bytes.
func safeName(s string, max int) bool {
	if len(s) > max {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// safeHostname accepts DNS names: labels of letters, digits and '-', dots
// between them, at most 253 bytes.
func safeHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}
