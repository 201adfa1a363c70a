package embedded

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sort"
	"sync"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/netalign/netalign/internal/intent"
)

// Defaults of HandlerConfig.
const (
	DefaultOfferHold         = 30 * time.Second
	DefaultDeclineQuarantine = 24 * time.Hour
)

// HandlerConfig configures a Handler.
type HandlerConfig struct {
	Pools []intent.Pool
	// ServerID is the server identifier of pools whose subnet holds none of
	// OwnAddrs (relayed pools); it must be reachable by clients by unicast.
	ServerID netip.Addr
	// OwnAddrs are the server's addresses: never handed out, and the one
	// inside a pool's subnet is that pool's server identifier.
	OwnAddrs []netip.Addr
	// OfferHold is how long an offered address is kept for the client
	// (DefaultOfferHold when zero).
	OfferHold time.Duration
	// DeclineQuarantine is how long a declined address is not handed out
	// (DefaultDeclineQuarantine when zero).
	DeclineQuarantine time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Meta is what the transport knows about a received packet.
type Meta struct {
	// Interface is the interface the packet arrived on; empty when unknown
	// (a listener not bound to an interface).
	Interface string
}

// Handler answers DHCPv4 requests. It is the server without its sockets:
// Handle takes a request and returns the reply to send, or nil.
type Handler struct {
	log   *slog.Logger
	store *Store
	now   func() time.Time

	commits *committer

	mu       sync.Mutex
	cfg      HandlerConfig
	pools    []*poolState
	serverID map[*poolState]netip.Addr
}

// NewHandler returns a Handler serving cfg.Pools with leases in store.
func NewHandler(cfg HandlerConfig, store *Store, log *slog.Logger) (*Handler, error) {
	if cfg.OfferHold <= 0 {
		cfg.OfferHold = DefaultOfferHold
	}
	if cfg.DeclineQuarantine <= 0 {
		cfg.DeclineQuarantine = DefaultDeclineQuarantine
	}
	h := &Handler{log: log, store: store, commits: newCommitter(store), now: cfg.Now, cfg: cfg}
	if h.now == nil {
		h.now = time.Now
	}
	if err := h.SetPools(cfg.Pools, cfg.OwnAddrs); err != nil {
		return nil, err
	}
	return h, nil
}

// SetPools replaces the pools (and the server's own addresses) in place.
// Leases of a pool whose subnet is kept stay in memory; other pools load
// theirs from the store. On error nothing changes.
func (h *Handler) SetPools(ps []intent.Pool, own []netip.Addr) error {
	compiled, err := compilePools(ps)
	if err != nil {
		return err
	}
	excluded := map[netip.Addr]bool{}
	for _, a := range own {
		excluded[a.Unmap()] = true
	}
	if h.cfg.ServerID.IsValid() {
		excluded[h.cfg.ServerID.Unmap()] = true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	old := map[string]*poolState{}
	for _, s := range h.pools {
		old[s.p.key] = s
	}
	states := make([]*poolState, 0, len(compiled))
	ids := map[*poolState]netip.Addr{}
	for _, p := range compiled {
		var s *poolState
		if prev, ok := old[p.key]; ok {
			cp := *prev // shares the lease maps; the old state is dropped on success
			cp.p, cp.excluded, cp.cursor = p, excluded, 0
			s = &cp
		} else {
			records, err := h.store.Load(p.key)
			if err != nil {
				return err
			}
			s = newPoolState(p, excluded, records)
		}
		id := h.cfg.ServerID.Unmap()
		for _, a := range own {
			if p.prefix.Contains(a.Unmap()) {
				id = a.Unmap()
				break
			}
		}
		if !id.Is4() {
			return fmt.Errorf("pool %s: %w: no server identifier (no own address in %s and no server ID set)", p.name(), ErrInvalidPool, p.prefix)
		}
		ids[s] = id
		states = append(states, s)
	}
	h.pools, h.serverID = states, ids
	h.cfg.Pools, h.cfg.OwnAddrs = ps, own
	return nil
}

// Pools returns the pools being served.
func (h *Handler) Pools() []intent.Pool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]intent.Pool(nil), h.cfg.Pools...)
}

// Leases returns every lease record, sorted by pool and address.
func (h *Handler) Leases() []Lease {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []Lease
	for _, s := range h.pools {
		for _, l := range s.byIP {
			out = append(out, *l)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Pool != out[j].Pool {
			return out[i].Pool < out[j].Pool
		}
		return out[i].IP.Less(out[j].IP)
	})
	return out
}

// Expire marks bound leases past their end as expired, persists them, logs
// each and drops stale offers.
func (h *Handler) Expire() error {
	h.mu.Lock()
	now := h.now()
	var tickets []*ticket
	type gone struct {
		pool   string
		leases []Lease
	}
	var expired []gone
	for _, s := range h.pools {
		g, m := s.expire(now)
		tickets = append(tickets, h.commits.submit(s.p.key, m))
		expired = append(expired, gone{s.p.name(), g})
	}
	h.mu.Unlock()
	for _, t := range tickets {
		if err := h.commits.wait(t); err != nil {
			return err
		}
	}
	for _, g := range expired {
		for _, l := range g.leases {
			h.log.Info("lease expired", "pool", g.pool, "ip", l.IP, "mac", l.MAC)
		}
	}
	return nil
}

func addrFrom(ip net.IP) netip.Addr {
	a, ok := netip.AddrFromSlice(ip.To4())
	if !ok || a.IsUnspecified() {
		return netip.Addr{}
	}
	return a
}

// selectPool finds the pool of a request: by relay (giaddr) when relayed,
// else by receiving interface, else by the client's own address.
func (h *Handler) selectPool(req *dhcpv4.DHCPv4, in Meta) *poolState {
	if gi := addrFrom(req.GatewayIPAddr); gi.IsValid() {
		for _, s := range h.pools {
			if s.p.relay == gi {
				return s
			}
		}
		for _, s := range h.pools {
			if s.p.prefix.Contains(gi) {
				return s
			}
		}
		return nil
	}
	ci := addrFrom(req.ClientIPAddr)
	want := ci
	if !want.IsValid() {
		want = addrFrom(req.RequestedIPAddress())
	}
	if in.Interface != "" {
		var cands []*poolState
		for _, s := range h.pools {
			if s.p.iface == in.Interface {
				cands = append(cands, s)
			}
		}
		if len(cands) > 0 {
			for _, s := range cands {
				if want.IsValid() && s.p.prefix.Contains(want) {
					return s
				}
			}
			return cands[0]
		}
	}
	if ci.IsValid() {
		for _, s := range h.pools {
			if s.p.prefix.Contains(ci) {
				return s
			}
		}
	}
	return nil
}

// Handle processes one request and returns the reply to send, or nil when
// the server stays silent. Errors (a lease file that cannot be written) are
// logged and the request is dropped, so a client is never told it has an
// address the server could not record.
func (h *Handler) Handle(req *dhcpv4.DHCPv4, in Meta) *dhcpv4.DHCPv4 {
	if req.OpCode != dhcpv4.OpcodeBootRequest || len(req.ClientHWAddr) != 6 {
		return nil
	}
	mac := req.ClientHWAddr.String()
	log := h.log.With("mac", mac, "xid", req.TransactionID.String(), "type", req.MessageType().String())
	h.mu.Lock()
	r := h.handle(req, in, mac, log)
	h.mu.Unlock()
	// The change is durable before the client hears of it.
	if err := h.commits.wait(r.commit); err != nil {
		log.Error("lease change not recorded, no answer", "err", err)
		return nil
	}
	if r.msg != "" {
		log.LogAttrs(context.Background(), r.level, r.msg, r.attrs...)
	}
	return r.reply
}

// outcome is what handling a request decided: the reply, the lease change
// to commit first, and a log line to write once it is committed.
type outcome struct {
	reply  *dhcpv4.DHCPv4
	commit *ticket
	level  slog.Level
	msg    string
	attrs  []slog.Attr
}

// handle runs under h.mu.
func (h *Handler) handle(req *dhcpv4.DHCPv4, in Meta, mac string, log *slog.Logger) outcome {
	s := h.selectPool(req, in)
	if s == nil {
		log.Debug("no pool for request", "interface", in.Interface, "giaddr", req.GatewayIPAddr, "ciaddr", req.ClientIPAddr)
		return outcome{}
	}
	log = log.With("pool", s.p.name())
	now := h.now()
	switch req.MessageType() {
	case dhcpv4.MessageTypeDiscover:
		a, ok := s.pick(mac, addrFrom(req.RequestedIPAddress()), now)
		if !ok {
			log.Warn("pool exhausted, no offer", "size", s.p.size)
			return outcome{}
		}
		s.hold(mac, a, now, h.cfg.OfferHold)
		log.Debug("offer", "ip", a)
		return outcome{reply: h.reply(s, req, dhcpv4.MessageTypeOffer, a)}
	case dhcpv4.MessageTypeRequest:
		return h.request(s, req, mac, now, log)
	case dhcpv4.MessageTypeRelease:
		m, ok := s.release(mac, addrFrom(req.ClientIPAddr), now)
		if !ok {
			log.Debug("release of an address the client does not hold", "ip", req.ClientIPAddr)
			return outcome{}
		}
		return outcome{commit: h.commits.submit(s.p.key, m), level: slog.LevelInfo, msg: "lease released",
			attrs: []slog.Attr{slog.String("pool", s.p.name()), slog.String("ip", req.ClientIPAddr.String())}}
	case dhcpv4.MessageTypeDecline:
		a := addrFrom(req.RequestedIPAddress())
		m, ok := s.decline(mac, a, now, h.cfg.DeclineQuarantine)
		if !ok {
			log.Debug("decline of an address not given to the client", "ip", a)
			return outcome{}
		}
		return outcome{commit: h.commits.submit(s.p.key, m), level: slog.LevelWarn, msg: "address declined by client, quarantined",
			attrs: []slog.Attr{slog.String("pool", s.p.name()), slog.String("ip", a.String()),
				slog.Time("until", now.Add(h.cfg.DeclineQuarantine))}}
	case dhcpv4.MessageTypeInform:
		return outcome{reply: h.reply(s, req, dhcpv4.MessageTypeAck, netip.Addr{})}
	}
	return outcome{}
}

// request handles DHCPREQUEST in its three client states (RFC 2131 4.3.2).
func (h *Handler) request(s *poolState, req *dhcpv4.DHCPv4, mac string, now time.Time, log *slog.Logger) outcome {
	sid := addrFrom(req.ServerIdentifier())
	ci := addrFrom(req.ClientIPAddr)
	var a netip.Addr
	switch {
	case sid.IsValid(): // SELECTING: answers an OFFER
		if sid != h.serverID[s] {
			s.dropOffer(mac) // the client chose another server
			log.Debug("client selected another server", "server", sid)
			return outcome{}
		}
		a = addrFrom(req.RequestedIPAddress())
		if !a.IsValid() {
			a = ci
		}
		if !a.IsValid() || !s.usable(a, mac, now) {
			return h.nak(s, req, log, fmt.Sprintf("address %s not available", a))
		}
	case ci.IsValid(): // RENEWING or REBINDING
		a = ci
		if !s.p.prefix.Contains(a) {
			return h.nak(s, req, log, fmt.Sprintf("address %s is not in subnet %s", a, s.p.prefix))
		}
		if !h.knownLease(s, mac, a) {
			return h.nak(s, req, log, fmt.Sprintf("no lease of %s for this client", a))
		}
		if !s.usable(a, mac, now) {
			return h.nak(s, req, log, fmt.Sprintf("address %s not available", a))
		}
	default: // INIT-REBOOT
		a = addrFrom(req.RequestedIPAddress())
		if !a.IsValid() {
			return outcome{}
		}
		if !s.p.prefix.Contains(a) {
			return h.nak(s, req, log, fmt.Sprintf("address %s is not in subnet %s", a, s.p.prefix))
		}
		if !h.knownLease(s, mac, a) {
			return h.nak(s, req, log, fmt.Sprintf("no lease of %s for this client", a))
		}
		if !s.usable(a, mac, now) {
			return h.nak(s, req, log, fmt.Sprintf("address %s not available", a))
		}
	}
	l, m := s.bind(mac, a, req.HostName(), now)
	return outcome{reply: h.reply(s, req, dhcpv4.MessageTypeAck, a), commit: h.commits.submit(s.p.key, m),
		level: slog.LevelInfo, msg: "lease", attrs: []slog.Attr{slog.String("pool", s.p.name()),
			slog.String("ip", a.String()), slog.String("until", l.Expires.Format(time.RFC3339))}}
}

// knownLease reports whether the server knows mac's lease on a: its (even
// expired) lease record, or its reservation.
func (h *Handler) knownLease(s *poolState, mac string, a netip.Addr) bool {
	if r, ok := s.p.reservedFor[mac]; ok && r == a {
		return true
	}
	l := s.byMAC[mac]
	return l != nil && l.IP == a && (l.State == LeaseBound || l.State == LeaseExpired)
}

func (h *Handler) nak(s *poolState, req *dhcpv4.DHCPv4, log *slog.Logger, why string) outcome {
	log.Info("nak", "reason", why)
	r, err := dhcpv4.NewReplyFromRequest(req,
		dhcpv4.WithMessageType(dhcpv4.MessageTypeNak),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(h.serverID[s].AsSlice())),
		dhcpv4.WithOption(dhcpv4.OptMessage(why)),
	)
	if err != nil {
		log.Error("build nak", "err", err)
		return outcome{}
	}
	if addrFrom(req.GatewayIPAddr).IsValid() {
		// RFC 2131 4.3.2: a relayed NAK asks the relay to broadcast it.
		r.SetBroadcast()
	}
	return outcome{reply: r}
}

// reply builds an OFFER or ACK for address a (invalid a: an ACK to INFORM,
// without address or lease time).
func (h *Handler) reply(s *poolState, req *dhcpv4.DHCPv4, t dhcpv4.MessageType, a netip.Addr) *dhcpv4.DHCPv4 {
	p := s.p
	mods := []dhcpv4.Modifier{
		dhcpv4.WithMessageType(t),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(h.serverID[s].AsSlice())),
		dhcpv4.WithOption(dhcpv4.OptSubnetMask(p.mask())),
	}
	if a.IsValid() {
		mods = append(mods,
			dhcpv4.WithYourIP(a.AsSlice()),
			dhcpv4.WithOption(dhcpv4.OptIPAddressLeaseTime(p.leaseTime)),
			dhcpv4.WithOption(dhcpv4.OptRenewTimeValue(p.leaseTime/2)),
			dhcpv4.WithOption(dhcpv4.OptRebindingTimeValue(p.leaseTime*7/8)),
		)
	} else {
		mods = append(mods, dhcpv4.WithClientIP(req.ClientIPAddr))
	}
	if p.gateway.IsValid() {
		mods = append(mods, dhcpv4.WithOption(dhcpv4.OptRouter(p.gateway.AsSlice())))
	}
	if len(p.dns) > 0 {
		ips := make([]net.IP, len(p.dns))
		for i, d := range p.dns {
			ips[i] = d.AsSlice()
		}
		mods = append(mods, dhcpv4.WithOption(dhcpv4.OptDNS(ips...)))
	}
	if p.domain != "" {
		mods = append(mods, dhcpv4.WithOption(dhcpv4.OptDomainName(p.domain)))
	}
	r, err := dhcpv4.NewReplyFromRequest(req, mods...)
	if err != nil {
		h.log.Error("build reply", "err", err)
		return nil
	}
	return r
}

// ReplyAddr is where a reply to req goes (RFC 2131 4.1): to the relay agent
// at giaddr:relayPort when relayed; broadcast for a NAK; to the client's
// address when it has one; else broadcast on the receiving link.
func ReplyAddr(req, reply *dhcpv4.DHCPv4, relayPort int) *net.UDPAddr {
	if gi := addrFrom(req.GatewayIPAddr); gi.IsValid() {
		return &net.UDPAddr{IP: gi.AsSlice(), Port: relayPort}
	}
	if reply.MessageType() != dhcpv4.MessageTypeNak {
		if ci := addrFrom(req.ClientIPAddr); ci.IsValid() {
			return &net.UDPAddr{IP: ci.AsSlice(), Port: dhcpv4.ClientPort}
		}
	}
	return &net.UDPAddr{IP: net.IPv4bcast, Port: dhcpv4.ClientPort}
}
