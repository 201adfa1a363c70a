package e2e

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/lab"
	"github.com/netalign/netalign/internal/lab/device"
)

type applyOutput struct {
	Results []struct {
		Device, Kind, Status, Error, Reason string
	}
}

func decodeApply(t *testing.T, r result) applyOutput {
	t.Helper()
	var out applyOutput
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("apply json: %v\n%s", err, r)
	}
	return out
}

// TestFleetWithFaults applies 200 simulated switches of which 10 % fail at a
// seeded random point: the commit is rejected, or the connection drops after
// a random number of commands (during observation or in the middle of the
// configuration session). Every healthy switch must be applied, every
// faulted one left exactly as it was, and the report must say which.
func TestFleetWithFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("200 switches: not in -short runs")
	}
	const n = 200
	inv := lab.FleetInventory(n, 8)
	rng := rand.New(rand.NewPCG(42, 7))
	faults := map[string]device.Faults{}
	for _, i := range rng.Perm(n)[:n/10] {
		name := inv.Switches[i].Name
		if rng.IntN(2) == 0 {
			faults[name] = device.Faults{RejectCommit: true}
		} else {
			faults[name] = device.Faults{DropAfter: 1 + rng.IntN(30)}
		}
	}
	l := startLabInv(t, inv, lab.Options{Ports: 8, Faults: faults})
	before := map[string]device.Config{}
	for name := range faults {
		before[name] = l.Device(name).Running()
	}
	r := netalign(t, nil, "apply", "-i", l.InventoryPath(), "--yes", "-o", "json", "--parallelism", "32", "--timeout", "30s")
	if r.code != 1 {
		t.Fatalf("apply with faulted switches: exit %d, want 1\n%.3000s", r.code, r.stderr)
	}
	out := decodeApply(t, r)
	status := map[string]string{}
	for _, x := range out.Results {
		if x.Kind == "switch" {
			status[x.Device] = x.Status
		}
	}
	if len(status) != n {
		t.Fatalf("report has %d switches, want %d", len(status), n)
	}
	var bad []string
	for name, st := range status {
		_, faulted := faults[name]
		switch {
		case !faulted && st != "applied":
			bad = append(bad, fmt.Sprintf("healthy %s: %s", name, st))
		case faulted && st == "applied":
			bad = append(bad, fmt.Sprintf("faulted %s (%+v): reported applied", name, faults[name]))
		case faulted && !slices.Contains([]string{"rolled-back", "failed", "skipped"}, st):
			bad = append(bad, fmt.Sprintf("faulted %s: status %s", name, st))
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("%d wrong statuses:\n%s", len(bad), strings.Join(bad, "\n"))
	}
	// Faulted switches are byte-for-byte as before; healthy ones converged.
	for name, cfg := range before {
		now := l.Device(name).Running()
		if !now.Equal(&cfg) {
			t.Errorf("faulted %s (%+v) changed", name, faults[name])
		}
		l.Device(name).SetFaults(device.Faults{})
	}
	r = netalign(t, nil, "plan", "-i", l.InventoryPath(), "-o", "json", "--parallelism", "32")
	if r.code != 0 {
		t.Fatalf("plan after apply: %s", r)
	}
	var p struct {
		Devices []struct {
			Name, Kind string
			Switch     []json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatal(err)
	}
	for _, d := range p.Devices {
		_, faulted := faults[d.Name]
		if d.Kind == "switch" && !faulted && len(d.Switch) != 0 {
			t.Errorf("healthy %s not converged: %d changes left", d.Name, len(d.Switch))
		}
		if d.Kind == "switch" && faulted && len(d.Switch) == 0 {
			t.Errorf("faulted %s shows no pending changes: it was changed", d.Name)
		}
	}
}
