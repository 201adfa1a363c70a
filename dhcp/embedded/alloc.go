package embedded

import (
	"net/netip"
	"time"
)

// offer is an address held for a client between OFFER and REQUEST. Offers
// live in memory only.
type offer struct {
	mac     string
	expires time.Time
}

// poolState is a pool with its leases and outstanding offers. It is not safe
// for concurrent use; the Handler serialises access.
type poolState struct {
	p *pool
	// excluded are addresses never handed out besides network, broadcast and
	// gateway: the server's own addresses.
	excluded map[netip.Addr]bool
	byIP     map[netip.Addr]*Lease
	byMAC    map[string]*Lease
	offers   map[netip.Addr]offer
	offerFor map[string]netip.Addr
	// cursor is where the search for a never-used address resumes.
	cursor int
}

// mutation is what a state change must persist.
type mutation struct {
	puts []Lease
	dels []netip.Addr
}

func newPoolState(p *pool, excluded map[netip.Addr]bool, records []Lease) *poolState {
	s := &poolState{
		p:        p,
		excluded: excluded,
		byIP:     map[netip.Addr]*Lease{},
		byMAC:    map[string]*Lease{},
		offers:   map[netip.Addr]offer{},
		offerFor: map[string]netip.Addr{},
	}
	for i := range records {
		l := records[i]
		if !p.prefix.Contains(l.IP) {
			continue
		}
		s.byIP[l.IP] = &l
		if l.MAC != "" && l.State != LeaseDeclined {
			if old := s.byMAC[l.MAC]; old == nil || old.Expires.Before(l.Expires) {
				s.byMAC[l.MAC] = &l
			}
		}
	}
	return s
}

// forbidden reports addresses never given to anybody.
func (s *poolState) forbidden(a netip.Addr) bool {
	return !s.p.prefix.Contains(a) || a == s.p.network || a == s.p.broadcast ||
		a == s.p.gateway || s.excluded[a]
}

// takenByOther reports whether another client (or a decline quarantine)
// holds a, by lease or by outstanding offer.
func (s *poolState) takenByOther(a netip.Addr, mac string, now time.Time) bool {
	if o, ok := s.offers[a]; ok && o.mac != mac && now.Before(o.expires) {
		return true
	}
	if l := s.byIP[a]; l != nil && l.MAC != mac && l.active(now) {
		return true
	}
	return false
}

// usable reports whether a may be leased to mac now.
func (s *poolState) usable(a netip.Addr, mac string, now time.Time) bool {
	if !a.Is4() || s.forbidden(a) {
		return false
	}
	if owner, ok := s.p.reservedIP[a]; ok {
		// Reservations always win, even over a lease another client holds.
		return owner == mac
	}
	if !s.p.inRange(a) {
		return false
	}
	return !s.takenByOther(a, mac, now)
}

// pick chooses the address to offer mac: its reservation, its current or
// previous address, the address it asks for, a never-used address, and
// last the address free for the longest time. ok is false when the pool is
// exhausted.
func (s *poolState) pick(mac string, requested netip.Addr, now time.Time) (a netip.Addr, ok bool) {
	if r, ok := s.p.reservedFor[mac]; ok {
		if !s.forbidden(r) {
			return r, true
		}
	}
	if o, ok := s.offerFor[mac]; ok && s.usable(o, mac, now) {
		return o, true
	}
	if l := s.byMAC[mac]; l != nil && s.usable(l.IP, mac, now) {
		return l.IP, true
	}
	if requested.IsValid() && s.usable(requested, mac, now) {
		return requested, true
	}
	var best netip.Addr
	var bestSince time.Time
	for i := 0; i < s.p.size; i++ {
		idx := (s.cursor + i) % s.p.size
		c := s.p.addrAt(idx)
		if !s.usable(c, mac, now) {
			continue
		}
		l := s.byIP[c]
		if _, offered := s.offers[c]; l == nil && !offered {
			s.cursor = (idx + 1) % s.p.size
			return c, true
		}
		since := time.Time{}
		if l != nil {
			since = l.Expires
		}
		if !best.IsValid() || since.Before(bestSince) {
			best, bestSince = c, since
		}
	}
	return best, best.IsValid()
}

// hold records an offer of a to mac until now+d.
func (s *poolState) hold(mac string, a netip.Addr, now time.Time, d time.Duration) {
	s.dropOffer(mac)
	s.offers[a] = offer{mac: mac, expires: now.Add(d)}
	s.offerFor[mac] = a
}

func (s *poolState) dropOffer(mac string) {
	if a, ok := s.offerFor[mac]; ok {
		if s.offers[a].mac == mac {
			delete(s.offers, a)
		}
		delete(s.offerFor, mac)
	}
}

// bind leases a to mac until now+lease time. The caller checked usable.
func (s *poolState) bind(mac string, a netip.Addr, hostname string, now time.Time) (*Lease, mutation) {
	var m mutation
	s.dropOffer(mac)
	if o, ok := s.offers[a]; ok { // a reservation overriding another's offer
		delete(s.offers, a)
		delete(s.offerFor, o.mac)
	}
	if old := s.byMAC[mac]; old != nil && old.IP != a {
		delete(s.byIP, old.IP)
		m.dels = append(m.dels, old.IP)
	}
	if prev := s.byIP[a]; prev != nil && prev.MAC != mac && s.byMAC[prev.MAC] == prev {
		delete(s.byMAC, prev.MAC)
	}
	l := &Lease{Pool: s.p.key, IP: a, MAC: mac, State: LeaseBound, Expires: now.Add(s.p.leaseTime), Hostname: hostname}
	s.byIP[a] = l
	s.byMAC[mac] = l
	m.puts = append(m.puts, *l)
	return l, m
}

// release frees mac's lease on a. ok is false when mac holds no lease on a.
func (s *poolState) release(mac string, a netip.Addr, now time.Time) (mutation, bool) {
	l := s.byMAC[mac]
	if l == nil || l.IP != a || l.State != LeaseBound {
		return mutation{}, false
	}
	l.State = LeaseReleased
	l.Expires = now
	return mutation{puts: []Lease{*l}}, true
}

// decline quarantines a until now+d after mac reported it in use. ok is false
// when a was neither offered nor leased to mac.
func (s *poolState) decline(mac string, a netip.Addr, now time.Time, d time.Duration) (mutation, bool) {
	l := s.byMAC[mac]
	offered := s.offerFor[mac] == a
	if !offered && (l == nil || l.IP != a) {
		return mutation{}, false
	}
	s.dropOffer(mac)
	if l != nil && l.IP == a {
		delete(s.byMAC, mac)
	}
	q := &Lease{Pool: s.p.key, IP: a, State: LeaseDeclined, Expires: now.Add(d)}
	s.byIP[a] = q
	return mutation{puts: []Lease{*q}}, true
}

// expire turns bound leases past their end into expired records and drops
// stale offers; it returns the leases that just expired.
func (s *poolState) expire(now time.Time) ([]Lease, mutation) {
	var gone []Lease
	var m mutation
	for a, o := range s.offers {
		if !now.Before(o.expires) {
			delete(s.offers, a)
			if s.offerFor[o.mac] == a {
				delete(s.offerFor, o.mac)
			}
		}
	}
	for _, l := range s.byIP {
		if l.State == LeaseBound && !now.Before(l.Expires) {
			l.State = LeaseExpired
			gone = append(gone, *l)
			m.puts = append(m.puts, *l)
		}
	}
	return gone, m
}
