package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

// Kind is the inventory kind of the built-in server.
const Kind = "embedded"

// Driver is the dhcp.Server of a built-in server: it reads and replaces the
// server's pools file, which the running server reloads, and checks that
// the server runs.
type Driver struct {
	name string
	path string
	// endpoint is where the server listens (the entry's endpoint), asked
	// by Ping; leaseFile is its lease database, whose lock says whether a
	// server holds it when there is no endpoint.
	endpoint  netip.AddrPort
	leaseFile string
	log       *slog.Logger
}

// Register adds the embedded driver to r.
func Register(r *dhcp.Registry) error { return r.Register(Kind, New) }

// PoolsPath is the pools file of an inventory entry: configPath, or
// "<leaseFile>.pools.json".
func PoolsPath(cfg inventory.DHCPServer) (string, error) {
	switch {
	case cfg.ConfigPath != "":
		return cfg.ConfigPath, nil
	case cfg.LeaseFile != "":
		return cfg.LeaseFile + ".pools.json", nil
	}
	return "", errors.New("embedded server needs configPath or leaseFile")
}

// Endpoint is the address an entry's server listens on for relayed
// requests: its endpoint, "ADDR" or "ADDR:PORT" (port 67 by default); the
// zero AddrPort when the entry has none.
func Endpoint(cfg inventory.DHCPServer) (netip.AddrPort, error) {
	ep := strings.TrimSpace(cfg.Endpoint)
	if ep == "" {
		return netip.AddrPort{}, nil
	}
	ap, err := netip.ParseAddrPort(ep)
	if err != nil {
		a, aerr := netip.ParseAddr(ep)
		if aerr != nil {
			return netip.AddrPort{}, fmt.Errorf("%s: endpoint %q is neither ADDR nor ADDR:PORT", cfg.Name, ep)
		}
		ap = netip.AddrPortFrom(a, dhcpv4.ServerPort)
	}
	if !ap.Addr().Is4() || ap.Addr().IsUnspecified() {
		return netip.AddrPort{}, fmt.Errorf("%s: endpoint %s must be a unicast IPv4 address", cfg.Name, ap)
	}
	return ap, nil
}

// New opens the driver of an embedded server entry.
func New(_ context.Context, cfg inventory.DHCPServer, log *slog.Logger) (dhcp.Server, error) {
	path, err := PoolsPath(cfg)
	if err != nil {
		return nil, err
	}
	ep, err := Endpoint(cfg)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Driver{name: cfg.Name, path: path, endpoint: ep, leaseFile: cfg.LeaseFile, log: log}, nil
}

// Observe checks that the server runs (alive), then returns the pools in
// the pools file, all owned by netalign. A missing file (a server never
// started nor applied) holds no pools.
func (d *Driver) Observe(ctx context.Context) ([]intent.Pool, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("observe: %w", err)
	}
	if err := d.alive(ctx); err != nil {
		return nil, fmt.Errorf("observe: %w", err)
	}
	pools, err := ReadPools(d.path)
	if errors.Is(err, os.ErrNotExist) {
		return []intent.Pool{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("observe: %w", err)
	}
	for i := range pools {
		pools[i].Owned = true
	}
	sortPools(pools)
	return pools, nil
}

// alive checks that the server runs, for Observe: the pools file alone
// says what the server would serve, not that anything serves it. With an
// endpoint the server must answer a liveness request there (Ping: cause
// UNREACHABLE or TIMEOUT when not). Without one (a server that serves its
// interfaces directly has no address to ask), a running server holds the
// entry's lease file locked; nobody holding it is UNREACHABLE. With
// neither, nothing can be checked and a warning says so.
func (d *Driver) alive(ctx context.Context) error {
	switch {
	case d.endpoint.IsValid():
		return Ping(ctx, d.endpoint)
	case d.leaseFile != "":
		held, err := leaseFileHeld(d.leaseFile)
		switch {
		case errors.Is(err, errors.ErrUnsupported):
			d.log.Warn("cannot check that the built-in DHCP server runs: no file locks on this system and no endpoint to ask", "server", d.name)
		case err != nil:
			return fmt.Errorf("check the lease file %s: %w", d.leaseFile, err)
		case !held:
			return cause.New(cause.Unreachable, "the built-in DHCP server is not running: no process holds its lease file %s: is `netalign dhcp serve` running?", d.leaseFile)
		}
		return nil
	}
	d.log.Warn("cannot check that the built-in DHCP server runs: its entry has neither endpoint nor leaseFile", "server", d.name)
	return nil
}

// poolKey identifies a pool across changes: its VLAN, or its subnet for an
// untagged pool.
func poolKey(p intent.Pool) string {
	if p.VLAN != 0 {
		return "vlan " + strconv.Itoa(p.VLAN)
	}
	return "subnet " + p.Subnet
}

func sortPools(ps []intent.Pool) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].VLAN != ps[j].VLAN {
			return ps[i].VLAN < ps[j].VLAN
		}
		return ps[i].Subnet < ps[j].Subnet
	})
}

// Apply makes the changes on the pools file as one transaction: the whole
// resulting pool set is validated, then the file is replaced atomically; on
// any error the file is untouched.
func (d *Driver) Apply(ctx context.Context, changes []intent.PoolChange) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	cur, err := ReadPools(d.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("apply: %w", err)
	}
	byKey := map[string]intent.Pool{}
	for _, p := range cur {
		byKey[poolKey(p)] = p
	}
	for _, c := range changes {
		k := poolKey(c.Pool)
		_, exists := byKey[k]
		switch c.Action {
		case intent.Create:
			if exists {
				return fmt.Errorf("apply: create %s: pool exists", k)
			}
			byKey[k] = c.Pool
		case intent.Update:
			if c.Before != nil && poolKey(*c.Before) != k {
				delete(byKey, poolKey(*c.Before))
			} else if !exists {
				return fmt.Errorf("apply: update %s: no such pool", k)
			}
			byKey[k] = c.Pool
		case intent.Delete:
			if !exists {
				return fmt.Errorf("apply: delete %s: no such pool", k)
			}
			delete(byKey, k)
		default:
			return fmt.Errorf("apply: unknown action %q", c.Action)
		}
	}
	next := make([]intent.Pool, 0, len(byKey))
	for _, p := range byKey {
		next = append(next, p)
	}
	sortPools(next)
	if err := WritePools(d.path, next); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	d.log.Info("embedded dhcp pools written", "server", d.name, "file", d.path, "pools", len(next))
	return nil
}

// Close does nothing: the driver holds no connection.
func (d *Driver) Close() error { return nil }
