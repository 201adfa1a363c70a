package e2e

import (
	"path/filepath"
	"testing"

	"github.com/netalign/netalign/internal/lab"
	"github.com/netalign/netalign/internal/lab/device"
)

// TestNXOSShiftedVLANIDs: leaf2 answers `show vlan brief | json` as the
// NX-OS releases that shift vlanshowbr-vlanid left 24 bits. The switch
// stays observable: apply converges and validate is clean, with the ids
// read from vlanshowbr-vlanid-utf.
func TestNXOSShiftedVLANIDs(t *testing.T) {
	l := startLab(t, filepath.Join("..", "configs", "lab.yaml"), lab.Options{Faults: map[string]device.Faults{"leaf2": {ShiftedVLANIDs: true}}})
	if r := netalign(t, nil, "observe", "-i", l.InventoryPath(), "-o", filepath.Join(t.TempDir(), "snap.json")); r.code != 0 {
		t.Fatalf("observe: %s", r)
	}
	if r := netalign(t, nil, "apply", "-i", l.InventoryPath(), "--yes"); r.code != 0 {
		t.Fatalf("apply: %s", r)
	}
	if r := netalign(t, nil, "validate", "-i", l.InventoryPath()); r.code != 0 {
		t.Fatalf("validate: %s", r)
	}
	if r := netalign(t, nil, "plan", "-i", l.InventoryPath(), "--detailed-exitcode"); r.code != 0 {
		t.Fatalf("plan after apply: %s", r)
	}
}
