package validate_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/validate"
)

// TestCheckVLANInactive: a VLAN of the inventory that exists but is
// suspended or shut down is VLAN_INACTIVE, naming the host bonds whose
// trunks need it; one the inventory does not need is nobody's business.
func TestCheckVLANInactive(t *testing.T) {
	d := load(t, "lab.yaml")
	obs := converged(t, d)
	obs.Switch("leaf1").VLAN(100).Suspended = true
	leaf2 := obs.Switch("leaf2")
	leaf2.VLAN(200).Suspended, leaf2.VLAN(200).Shutdown = true, true
	leaf2.VLANs = append(leaf2.VLANs, intent.VLAN{ID: 3000, Suspended: true})
	got := validate.Check(validate.Input{Desired: d, Observed: obs})
	want := []validate.Finding{
		{Code: validate.VLANInactive, Severity: validate.SeverityError, Device: "leaf1", Object: "vlan 100", Expected: "active", Found: "suspended",
			Message: "VLAN 100 (vlan100) is suspended: the trunks carry nothing on it for harvester-0 mgmt-bo, harvester-1 mgmt-bo, harvester-2 mgmt-bo"},
		{Code: validate.VLANInactive, Severity: validate.SeverityError, Device: "leaf2", Object: "vlan 200", Expected: "active", Found: "suspended, shutdown",
			Message: "VLAN 200 (vlan200) is suspended, shutdown: the trunks carry nothing on it for harvester-0 data-bo, harvester-1 data-bo, harvester-2 data-bo"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestCheckObservePartial: each record a driver could not read is one
// OBSERVE_PARTIAL finding on its switch; the other rules still run on what
// was read.
func TestCheckObservePartial(t *testing.T) {
	d := load(t, "lab.yaml")
	obs := converged(t, d)
	leaf1 := obs.Switch("leaf1")
	leaf1.Partial = []intent.Unparsed{
		{Command: "show vlan | json", Kind: intent.ObjVLAN, Record: "300", Reason: `status "frozen" not understood`},
		{Command: "show interface | json", Record: "row 7", Reason: "string where an object was expected"},
	}
	leaf1.VLANs = leaf1.VLANs[:len(leaf1.VLANs)-1] // the last VLAN of the inventory (100) was not read
	got := validate.Check(validate.Input{Desired: d, Observed: obs})
	var lines []string
	for _, f := range got {
		lines = append(lines, string(f.Code)+" "+f.Device+" "+f.Object+" | "+f.Found+" | "+f.Message)
	}
	want := []string{
		`OBSERVE_PARTIAL leaf1 row 7 | string where an object was expected | show interface | json: row 7: string where an object was expected; the record is left out of the observation`,
		`VLAN_NOT_DEFINED leaf1 vlan 100 | absent | VLAN 100 (vlan100) is not defined`,
		`OBSERVE_PARTIAL leaf1 vlan 300 | status "frozen" not understood | show vlan | json: vlan 300: status "frozen" not understood; the record is left out of the observation`,
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got[2].Severity != validate.SeverityWarning {
		t.Errorf("OBSERVE_PARTIAL severity %s", got[0].Severity)
	}
}
