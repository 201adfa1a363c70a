package embedded

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/netalign/netalign/internal/intent"
)

// DefaultLeaseTime is the lease time of pools that set none.
const DefaultLeaseTime = time.Hour

// ErrInvalidPool is wrapped by every pool validation error.
var ErrInvalidPool = errors.New("invalid pool")

// addrRange is an inclusive range of IPv4 addresses.
type addrRange struct{ first, last uint32 }

// pool is an intent.Pool parsed and checked, ready to serve.
type pool struct {
	src       intent.Pool
	key       string // bucket name: the masked subnet
	prefix    netip.Prefix
	network   netip.Addr
	broadcast netip.Addr
	ranges    []addrRange
	size      int
	gateway   netip.Addr
	dns       []netip.Addr
	domain    string
	leaseTime time.Duration
	relay     netip.Addr
	iface     string
	// reservedFor maps a MAC (lowercase, colons) to its reserved address;
	// reservedIP is the reverse.
	reservedFor map[string]netip.Addr
	reservedIP  map[netip.Addr]string
}

func (p *pool) name() string {
	if p.src.Network != "" {
		return p.src.Network
	}
	return p.key
}

func u32(a netip.Addr) uint32 { b := a.As4(); return binary.BigEndian.Uint32(b[:]) }

func addrOf(v uint32) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}

// normalizeMAC returns the MAC in lowercase colon form.
func normalizeMAC(s string) (string, error) {
	hw, err := net.ParseMAC(s)
	if err != nil {
		return "", err
	}
	if len(hw) != 6 {
		return "", fmt.Errorf("%q is not a 48-bit MAC address", s)
	}
	return hw.String(), nil
}

func parseAddr4(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return netip.Addr{}, err
	}
	if !a.Is4() {
		return netip.Addr{}, fmt.Errorf("%s is not an IPv4 address", s)
	}
	return a, nil
}

// compilePool parses and checks one pool.
func compilePool(p intent.Pool) (*pool, error) {
	fail := func(format string, a ...any) error {
		id := p.Network
		if id == "" {
			id = p.Subnet
		}
		return fmt.Errorf("pool %s: %w: %s", id, ErrInvalidPool, fmt.Sprintf(format, a...))
	}
	prefix, err := netip.ParsePrefix(strings.TrimSpace(p.Subnet))
	if err != nil || !prefix.Addr().Is4() {
		return nil, fail("subnet %q is not an IPv4 CIDR", p.Subnet)
	}
	prefix = prefix.Masked()
	if prefix.Bits() > 30 {
		return nil, fail("subnet %s is too small for DHCP (at most /30)", prefix)
	}
	c := &pool{
		src:         p,
		key:         prefix.String(),
		prefix:      prefix,
		network:     prefix.Addr(),
		broadcast:   addrOf(u32(prefix.Addr()) | (1<<(32-prefix.Bits()) - 1)),
		domain:      p.Domain,
		iface:       p.Interface,
		leaseTime:   time.Duration(p.LeaseTime) * time.Second,
		reservedFor: map[string]netip.Addr{},
		reservedIP:  map[netip.Addr]string{},
	}
	if p.LeaseTime < 0 {
		return nil, fail("lease time %d is negative", p.LeaseTime)
	}
	if c.leaseTime == 0 {
		c.leaseTime = DefaultLeaseTime
	}
	host := func(what, s string) (netip.Addr, error) {
		a, err := parseAddr4(s)
		if err != nil {
			return a, fail("%s %q: %v", what, s, err)
		}
		if !prefix.Contains(a) {
			return a, fail("%s %s is outside subnet %s", what, a, prefix)
		}
		if a == c.network || a == c.broadcast {
			return a, fail("%s %s is the network or broadcast address of %s", what, a, prefix)
		}
		return a, nil
	}
	if p.Gateway != "" {
		if c.gateway, err = host("gateway", p.Gateway); err != nil {
			return nil, err
		}
	}
	for _, d := range p.DNS {
		a, err := parseAddr4(d)
		if err != nil {
			return nil, fail("dns %q: %v", d, err)
		}
		c.dns = append(c.dns, a)
	}
	if p.Relay != "" {
		if c.relay, err = parseAddr4(p.Relay); err != nil {
			return nil, fail("relay %q: %v", p.Relay, err)
		}
	}
	if len(p.Ranges) == 0 {
		return nil, fail("no address range")
	}
	for _, r := range p.Ranges {
		first, last, ok := strings.Cut(r, "-")
		if !ok {
			last = first
		}
		a, err := host("range start", first)
		if err != nil {
			return nil, err
		}
		b, err := host("range end", last)
		if err != nil {
			return nil, err
		}
		if b.Less(a) {
			return nil, fail("range %q ends before it starts", r)
		}
		c.ranges = append(c.ranges, addrRange{u32(a), u32(b)})
		c.size += int(u32(b)-u32(a)) + 1
	}
	for _, r := range p.Reservations {
		mac, err := normalizeMAC(r.MAC)
		if err != nil {
			return nil, fail("reservation %q: %v", r.MAC, err)
		}
		a, err := host("reservation "+mac, r.IP)
		if err != nil {
			return nil, err
		}
		if a == c.gateway {
			return nil, fail("reservation %s: %s is the gateway", mac, a)
		}
		if _, dup := c.reservedFor[mac]; dup {
			return nil, fail("MAC %s is reserved twice", mac)
		}
		if other, dup := c.reservedIP[a]; dup {
			return nil, fail("%s is reserved for both %s and %s", a, other, mac)
		}
		c.reservedFor[mac] = a
		c.reservedIP[a] = mac
	}
	return c, nil
}

// compilePools checks a whole pool set: every pool, plus no two pools with
// overlapping subnets or the same VLAN (a request must select one pool).
func compilePools(ps []intent.Pool) ([]*pool, error) {
	var errs []error
	out := make([]*pool, 0, len(ps))
	for _, p := range ps {
		c, err := compilePool(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, o := range out {
			if o.prefix.Overlaps(c.prefix) {
				errs = append(errs, fmt.Errorf("pool %s: %w: subnet %s overlaps pool %s (%s)", c.name(), ErrInvalidPool, c.prefix, o.name(), o.prefix))
			}
			if c.src.VLAN != 0 && o.src.VLAN == c.src.VLAN {
				errs = append(errs, fmt.Errorf("pool %s: %w: VLAN %d is also pool %s", c.name(), ErrInvalidPool, c.src.VLAN, o.name()))
			}
		}
		out = append(out, c)
	}
	return out, errors.Join(errs...)
}

// ValidatePools reports every problem of a pool set, or nil.
func ValidatePools(ps []intent.Pool) error {
	_, err := compilePools(ps)
	return err
}

// inRange reports whether a is in one of the pool's dynamic ranges.
func (p *pool) inRange(a netip.Addr) bool {
	if !a.Is4() {
		return false
	}
	v := u32(a)
	for _, r := range p.ranges {
		if v >= r.first && v <= r.last {
			return true
		}
	}
	return false
}

// addrAt returns the i-th address of the ranges, 0 <= i < size.
func (p *pool) addrAt(i int) netip.Addr {
	for _, r := range p.ranges {
		n := int(r.last-r.first) + 1
		if i < n {
			return addrOf(r.first + uint32(i))
		}
		i -= n
	}
	panic("embedded: address index out of range")
}

// mask returns the subnet mask.
func (p *pool) mask() net.IPMask { return net.CIDRMask(p.prefix.Bits(), 32) }
