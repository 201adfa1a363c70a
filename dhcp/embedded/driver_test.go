package embedded

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

func TestDriverRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r := dhcp.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	leases := filepath.Join(dir, "leases.db")
	// The lease database open, as a running server holds it: without an
	// endpoint, that is how Observe knows the server runs.
	store, err := OpenStore(leases, true)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv, err := r.Open(ctx, inventory.DHCPServer{Name: "builtin", Kind: "embedded", LeaseFile: leases}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	got, err := srv.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("Observe before any apply = %v, want none", got)
	}
	v100 := testPool()
	v200 := intent.Pool{Network: "vlan200", VLAN: 200, Subnet: "10.200.0.0/24", Ranges: []string{"10.200.0.10-10.200.0.20"}, Relay: "10.200.0.1"}
	v300 := intent.Pool{Network: "vlan300", VLAN: 300, Subnet: "10.30.0.0/24", Ranges: []string{"10.30.0.10-10.30.0.20"}, Interface: "eth3"}
	if err := srv.Apply(ctx, []intent.PoolChange{{Action: intent.Create, Pool: v300}, {Action: intent.Create, Pool: v100}, {Action: intent.Create, Pool: v200}}); err != nil {
		t.Fatal(err)
	}
	owned := func(ps ...intent.Pool) []intent.Pool {
		for i := range ps {
			ps[i].Owned = true
		}
		return ps
	}
	check := func(want []intent.Pool) {
		t.Helper()
		got, err := srv.Observe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("Observe (-want +got):\n%s", diff)
		}
	}
	check(owned(v100, v200, v300))

	v200b := v200
	v200b.Ranges = []string{"10.200.0.100-10.200.0.150"}
	v200b.DNS = []string{"10.0.0.53"}
	if err := srv.Apply(ctx, []intent.PoolChange{{Action: intent.Update, Pool: v200b, Before: &v200}, {Action: intent.Delete, Pool: v300}}); err != nil {
		t.Fatal(err)
	}
	check(owned(v100, v200b))

	path := filepath.Join(dir, "leases.db.pools.json")
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := v100
	bad.Ranges = []string{"10.100.0.1-10.100.1.20"} // outside the subnet
	failing := []struct {
		name    string
		changes []intent.PoolChange
	}{
		{"invalid pool", []intent.PoolChange{{Action: intent.Create, Pool: v300}, {Action: intent.Update, Pool: bad}}},
		{"create existing", []intent.PoolChange{{Action: intent.Create, Pool: v100}}},
		{"update missing", []intent.PoolChange{{Action: intent.Update, Pool: v300}}},
		{"delete missing", []intent.PoolChange{{Action: intent.Delete, Pool: v300}}},
		{"overlap", []intent.PoolChange{{Action: intent.Create, Pool: intent.Pool{VLAN: 400, Subnet: "10.200.0.0/16", Ranges: []string{"10.200.9.1-10.200.9.9"}}}}},
	}
	for _, tt := range failing {
		t.Run(tt.name, func(t *testing.T) {
			if err := srv.Apply(ctx, tt.changes); err == nil {
				t.Fatal("Apply succeeded")
			}
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Fatal("a failed Apply changed the pools file")
			}
		})
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "leases.db.pools.json" && e.Name() != "leases.db" {
			t.Errorf("left behind %s", e.Name())
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("pools file mode %v, %v; want 0600", fi.Mode(), err)
	}
}

func TestDriverNeedsAPath(t *testing.T) {
	if _, err := New(context.Background(), inventory.DHCPServer{Name: "x", Kind: Kind}, testLogger(t)); err == nil {
		t.Fatal("New without configPath or leaseFile succeeded")
	}
	d, err := New(context.Background(), inventory.DHCPServer{Name: "x", Kind: Kind, ConfigPath: "/etc/netalign/pools.json", LeaseFile: "/var/lib/x.db"}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.(*Driver).path; got != "/etc/netalign/pools.json" {
		t.Fatalf("path %s", got)
	}
}

func TestReadPoolsRejects(t *testing.T) {
	dir := t.TempDir()
	tests := map[string]string{
		"unknown field": `{"version":1,"pools":[],"extra":1}`,
		"bad version":   `{"version":2,"pools":[]}`,
		"invalid pool":  `{"version":1,"pools":[{"vlan":1,"subnet":"10.0.0.0/24","ranges":["10.0.1.1-10.0.1.5"]}]}`,
		"not json":      `pools:`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := ReadPools(p); err == nil {
				t.Fatal("ReadPools accepted it")
			}
		})
	}
}
