package dhcp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

// Server is a DHCP server netalign keeps VLAN pools on.
type Server interface {
	// Observe returns every pool the server holds; those netalign manages
	// have Owned set.
	Observe(ctx context.Context) ([]intent.Pool, error)
	// Apply makes the pool changes as one transaction: the server ends with
	// all of them or none.
	Apply(ctx context.Context, changes []intent.PoolChange) error
	// Close releases connections.
	Close() error
}

// InsecureServer is implemented by servers that can run with protection
// turned off by the inventory's insecure: true (Kea over plain http:// to
// another machine).
type InsecureServer interface {
	// Insecure reports whether the server runs without that protection.
	Insecure() bool
}

// IsInsecure reports whether s runs insecure, for reports: false for a
// server that does not implement InsecureServer.
func IsInsecure(s Server) bool {
	i, ok := s.(InsecureServer)
	return ok && i.Insecure()
}

// Factory opens a server driver from its inventory entry.
type Factory func(ctx context.Context, cfg inventory.DHCPServer, log *slog.Logger) (Server, error)

// ErrNoDriver is returned for kinds without a driver.
var ErrNoDriver = errors.New("no DHCP driver")

// ErrDuplicate is wrapped by Registry.Register when the kind already has a
// driver.
var ErrDuplicate = errors.New("DHCP driver registered twice")

// Registry maps a DHCP server kind to its factory; filled explicitly.
type Registry struct{ factories map[string]Factory }

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{factories: map[string]Factory{}} }

// Register adds the factory for kind; a second driver for a kind is
// refused with an error wrapping ErrDuplicate.
func (r *Registry) Register(kind string, f Factory) error {
	if _, dup := r.factories[kind]; dup {
		return fmt.Errorf("DHCP driver %s: %w", kind, ErrDuplicate)
	}
	r.factories[kind] = f
	return nil
}

// Inventory returns what inventory check needs to know of the registered
// drivers: the kinds that can run and the rules every server's
// configuration applies to a pool's interface and reservations' host names
// (CheckInterface, CheckHostname).
func (r *Registry) Inventory() *inventory.DHCPDrivers {
	return &inventory.DHCPDrivers{Kinds: r.Kinds(), Interface: CheckInterface, Hostname: CheckHostname}
}

// Kinds lists registered kinds, sorted.
func (r *Registry) Kinds() []string {
	out := make([]string, 0, len(r.factories))
	for k := range r.factories {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Open returns the driver for cfg.
func (r *Registry) Open(ctx context.Context, cfg inventory.DHCPServer, log *slog.Logger) (Server, error) {
	f, ok := r.factories[cfg.Kind]
	if !ok {
		return nil, fmt.Errorf("%s: %w for kind %q", cfg.Name, ErrNoDriver, cfg.Kind)
	}
	s, err := f(ctx, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("%s: open: %w", cfg.Name, err)
	}
	return s, nil
}
