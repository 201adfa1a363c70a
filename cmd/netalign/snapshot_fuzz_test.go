package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/netalign/netalign/internal/fuzzseed"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/plan"
	"github.com/netalign/netalign/internal/validate"
	"github.com/netalign/netalign/inventory"
)

// FuzzReadSnapshot reads snapshot files as `plan --snapshot` does, seeded
// with the snapshots in testdata, and plans and validates
// configs/harvester-seed.yaml against what it accepts: neither may panic
// on any observed state a file can hold.
func FuzzReadSnapshot(f *testing.F) {
	fuzzseed.Add(f, "*.snapshot.json")
	inv, err := inventory.Load("../../configs/harvester-seed.yaml", intent.InventoryOptions())
	if err != nil {
		f.Fatal(err)
	}
	desired, err := intent.Derive(inv)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "snapshot.json")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		obs, err := readSnapshot(path)
		if err != nil {
			return
		}
		_, _ = plan.Compute(desired, obs, plan.Options{})
		validate.Check(validate.Input{Desired: desired, Observed: obs})
	})
}
