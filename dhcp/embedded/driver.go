package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strconv"

	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

// Kind is the inventory kind of the built-in server.
const Kind = "embedded"

// Driver is the dhcp.Server of a built-in server: it reads and replaces the
// server's pools file, which the running server reloads.
type Driver struct {
	name string
	path string
	log  *slog.Logger
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

// New opens the driver of an embedded server entry.
func New(_ context.Context, cfg inventory.DHCPServer, log *slog.Logger) (dhcp.Server, error) {
	path, err := PoolsPath(cfg)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Driver{name: cfg.Name, path: path, log: log}, nil
}

// Observe returns the pools in the pools file, all owned by netalign. A
// missing file (a server never started nor applied) holds no pools.
func (d *Driver) Observe(ctx context.Context) ([]intent.Pool, error) {
	if err := ctx.Err(); err != nil {
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
