package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/server4"

	"github.com/netalign/netalign/internal/intent"
)

// Defaults of Config.
const (
	DefaultReloadInterval = 2 * time.Second
	DefaultExpireInterval = time.Minute
)

// Config configures a running server.
type Config struct {
	// Pools served. When empty, they are read from PoolsFile.
	Pools []intent.Pool
	// ServerID is the server identifier of pools without a local address in
	// their subnet (relayed pools); clients renew by unicast to it.
	ServerID netip.Addr
	// LeaseFile is the bbolt lease database.
	LeaseFile string
	// PoolsFile, when set, is where the served pools are published (written
	// at start when Pools is set) and reloaded from when it changes.
	PoolsFile string
	// Interfaces are listened on (0.0.0.0:Port bound to the device). Empty:
	// every Pool.Interface.
	Interfaces []string
	// ListenAddr, when valid, is one more listener bound to that address (not
	// to a device): relayed requests and unicast renewals arrive there. Use a
	// unicast address (usually ServerID:67); a wildcard address would also
	// receive the broadcasts of every link.
	ListenAddr netip.AddrPort
	// Port of the interface listeners (67 when zero).
	Port int
	// RelayPort is the port replies to relay agents go to (67 when zero).
	RelayPort int
	// NoSync skips the lease file's fsync per commit (see OpenStore).
	NoSync bool

	OfferHold         time.Duration
	DeclineQuarantine time.Duration
	// ReloadInterval is how often PoolsFile is checked for changes.
	ReloadInterval time.Duration
	// ExpireInterval is how often expired leases are swept and logged.
	ExpireInterval time.Duration
}

// Server is a running DHCPv4 server: its lease store, handler and listeners.
type Server struct {
	cfg     Config
	log     *slog.Logger
	store   *Store
	handler *Handler

	mu        sync.Mutex
	listeners map[string]*listener // by interface name; "" is ListenAddr
	wg        sync.WaitGroup
	poolsStat os.FileInfo // of the pools file as last loaded; nil if none
}

type listener struct {
	srv  *server4.Server
	conn *net.UDPConn
}

// NewServer opens the lease file and every listener. Sockets are opened from
// the calling goroutine (and so in its network namespace); Run opens later
// ones from its own calling goroutine too.
func NewServer(cfg Config, log *slog.Logger) (*Server, error) {
	if cfg.LeaseFile == "" {
		return nil, errors.New("embedded dhcp: no lease file")
	}
	if cfg.Port == 0 {
		cfg.Port = dhcpv4.ServerPort
	}
	if cfg.RelayPort == 0 {
		cfg.RelayPort = dhcpv4.ServerPort
	}
	if cfg.ReloadInterval <= 0 {
		cfg.ReloadInterval = DefaultReloadInterval
	}
	if cfg.ExpireInterval <= 0 {
		cfg.ExpireInterval = DefaultExpireInterval
	}
	pools := cfg.Pools
	if cfg.PoolsFile != "" {
		if len(pools) > 0 {
			if err := WritePools(cfg.PoolsFile, pools); err != nil {
				return nil, err
			}
		} else {
			p, err := ReadPools(cfg.PoolsFile)
			switch {
			case errors.Is(err, os.ErrNotExist):
				log.Warn("no pools yet; waiting for the pools file", "file", cfg.PoolsFile)
			case err != nil:
				return nil, err
			}
			pools = p
		}
	}
	store, err := OpenStore(cfg.LeaseFile, cfg.NoSync)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, store: store, listeners: map[string]*listener{}}
	s.poolsStat = s.statPools()
	s.handler, err = NewHandler(HandlerConfig{
		Pools:             pools,
		ServerID:          cfg.ServerID,
		OwnAddrs:          localAddrs(),
		OfferHold:         cfg.OfferHold,
		DeclineQuarantine: cfg.DeclineQuarantine,
	}, store, log)
	if err != nil {
		_ = store.Close()
		return nil, fmt.Errorf("embedded dhcp: %w", err)
	}
	if err := s.syncListeners(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Handler returns the server's handler (leases, pools).
func (s *Server) Handler() *Handler { return s.handler }

// Addrs returns the local address of every listener, by interface ("" is
// ListenAddr).
func (s *Server) Addrs() map[string]net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]net.Addr{}
	for k, l := range s.listeners {
		out[k] = l.conn.LocalAddr()
	}
	return out
}

// wantListeners is the listener set the current pools need.
func (s *Server) wantListeners() []string {
	set := map[string]bool{}
	for _, i := range s.cfg.Interfaces {
		set[i] = true
	}
	if len(s.cfg.Interfaces) == 0 {
		for _, p := range s.handler.Pools() {
			if p.Interface != "" {
				set[p.Interface] = true
			}
		}
	}
	if s.cfg.ListenAddr.IsValid() {
		set[""] = true
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// syncListeners opens missing listeners and closes unneeded ones.
func (s *Server) syncListeners() error {
	want := s.wantListeners()
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, l := range s.listeners {
		if !slices.Contains(want, name) {
			_ = l.srv.Close()
			delete(s.listeners, name)
			s.log.Info("dhcp listener closed", "interface", name)
		}
	}
	var errs []error
	for _, name := range want {
		if _, ok := s.listeners[name]; ok {
			continue
		}
		addr := &net.UDPAddr{IP: net.IPv4zero, Port: s.cfg.Port}
		if name == "" {
			addr = net.UDPAddrFromAddrPort(s.cfg.ListenAddr)
		}
		conn, err := server4.NewIPv4UDPConn(name, addr)
		if err != nil {
			errs = append(errs, fmt.Errorf("embedded dhcp: listen on %q %s: %w", name, addr, err))
			continue
		}
		in := Meta{Interface: name}
		srv, err := server4.NewServer(name, nil, func(c net.PacketConn, peer net.Addr, m *dhcpv4.DHCPv4) {
			s.serve(c, peer, m, in)
		}, server4.WithConn(conn))
		if err != nil {
			_ = conn.Close()
			errs = append(errs, fmt.Errorf("embedded dhcp: server on %q: %w", name, err))
			continue
		}
		s.listeners[name] = &listener{srv: srv, conn: conn}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			// Serve returns when the listener is closed.
			_ = srv.Serve()
		}()
		s.log.Info("dhcp listening", "interface", name, "addr", conn.LocalAddr().String())
	}
	return errors.Join(errs...)
}

func (s *Server) serve(c net.PacketConn, peer net.Addr, m *dhcpv4.DHCPv4, in Meta) {
	if in.Interface == "" && isHealthRequest(m) {
		s.health(c, peer, m)
		return
	}
	reply := s.handler.Handle(m, in)
	if reply == nil {
		return
	}
	dst := ReplyAddr(m, reply, s.cfg.RelayPort)
	if _, err := c.WriteTo(reply.ToBytes(), dst); err != nil {
		s.log.Warn("dhcp reply not sent", "to", dst.String(), "type", reply.MessageType().String(), "err", err)
	}
}

// health answers a liveness request (HealthClass) that reached ListenAddr,
// to its sender.
func (s *Server) health(c net.PacketConn, peer net.Addr, m *dhcpv4.DHCPv4) {
	id := s.cfg.ServerID
	if !id.IsValid() {
		id = s.cfg.ListenAddr.Addr()
	}
	reply, err := healthReply(m, id)
	if err == nil {
		_, err = c.WriteTo(reply.ToBytes(), peer)
	}
	if err != nil {
		s.log.Warn("dhcp health reply not sent", "to", peer.String(), "err", err)
		return
	}
	s.log.Debug("dhcp health request answered", "from", peer.String())
}

// Run serves until ctx is done, reloading the pools file and sweeping
// expired leases, then closes every listener and the lease file.
func (s *Server) Run(ctx context.Context) error {
	defer s.Close()
	reload := time.NewTicker(s.cfg.ReloadInterval)
	defer reload.Stop()
	expire := time.NewTicker(s.cfg.ExpireInterval)
	defer expire.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-expire.C:
			if err := s.handler.Expire(); err != nil {
				s.log.Error("lease expiry", "err", err)
			}
		case <-reload.C:
			s.reloadPools()
		}
	}
}

func (s *Server) statPools() os.FileInfo {
	if s.cfg.PoolsFile == "" {
		return nil
	}
	fi, err := os.Stat(s.cfg.PoolsFile)
	if err != nil {
		return nil
	}
	return fi
}

// sameFile reports whether the pools file is unchanged: the same file (each
// atomic replace is a new inode) with the same size and modification time.
func sameFile(a, b os.FileInfo) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// reloadPools swaps in the pools file when it changed. An invalid file is
// logged and the current pools stay.
func (s *Server) reloadPools() {
	if s.cfg.PoolsFile == "" {
		return
	}
	st := s.statPools()
	if sameFile(st, s.poolsStat) {
		return
	}
	s.poolsStat = st
	pools, err := ReadPools(s.cfg.PoolsFile)
	if err != nil {
		s.log.Error("pools file not reloaded, keeping current pools", "file", s.cfg.PoolsFile, "err", err)
		return
	}
	if err := s.handler.SetPools(pools, localAddrs()); err != nil {
		s.log.Error("pools file not reloaded, keeping current pools", "file", s.cfg.PoolsFile, "err", err)
		return
	}
	s.log.Info("pools reloaded", "file", s.cfg.PoolsFile, "pools", len(pools))
	if err := s.syncListeners(); err != nil {
		s.log.Error("listeners after reload", "err", err)
	}
}

// Close stops every listener and closes the lease file.
func (s *Server) Close() {
	s.mu.Lock()
	for name, l := range s.listeners {
		_ = l.srv.Close()
		delete(s.listeners, name)
	}
	s.mu.Unlock()
	s.wg.Wait()
	if s.store != nil {
		if err := s.store.Close(); err != nil {
			s.log.Error("close lease file", "err", err)
		}
		s.store = nil
	}
}

// Serve runs the server until ctx is done (see NewServer and Run).
func Serve(ctx context.Context, cfg Config, log *slog.Logger) error {
	s, err := NewServer(cfg, log)
	if err != nil {
		return err
	}
	return s.Run(ctx)
}

// localAddrs lists the IPv4 addresses of this network namespace.
func localAddrs() []netip.Addr {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []netip.Addr
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(n.IP.To4()); ok {
				out = append(out, ip)
			}
		}
	}
	return out
}
