package validate_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/validate"
)

// TestVLANIsolation: a host-facing LAG or port allowing VLANs its cluster
// network does not need is VLAN_EXTRA, a bridge port carrying VIDs no
// network assigns is HOST_VLAN_EXTRA; both are warnings, errors with
// StrictIsolation, and name the extra ranges and what the port serves.
func TestVLANIsolation(t *testing.T) {
	d := load(t, "lab.yaml")
	obs := converged(t, d)
	if fs := validate.Check(validate.Input{Desired: d, Observed: obs}); len(fs) != 0 {
		t.Fatalf("converged lab: %v", codes(fs))
	}

	lag, lagItf := firstLAG(t, d, obs, "leaf1")
	lagItf.Allowed = intent.VLANRange(1, 4094)
	var port *intent.DesiredPort
	for i, ds := range d.Switches {
		for j, dp := range ds.Ports {
			if ds.Name == "oob-sw" && dp.LAG == "" && port == nil {
				port = &d.Switches[i].Ports[j]
			}
		}
	}
	if port == nil {
		t.Fatal("oob-sw has no plain port")
	}
	portItf := obs.Switch("oob-sw").Interface(port.Name)
	portItf.Allowed = portItf.Allowed.Union(intent.NewVLANSet(300, 301, 302, 400))
	h := d.Hosts[0]
	var bond *intent.DesiredBond
	for i, b := range h.Bonds {
		if b.ClusterNetwork == "data" {
			bond = &h.Bonds[i]
		}
	}
	if bond == nil {
		t.Fatalf("%s has no data bond", h.Name)
	}
	// The data bond as apply leaves it, plus VID 999 on its bridge port.
	vlans := []intent.BridgeVLAN{{VID: bond.PVID, PVID: true, Untagged: true}}
	for _, v := range bond.VLANs {
		vlans = append(vlans, intent.BridgeVLAN{VID: v})
	}
	vlans = append(vlans, intent.BridgeVLAN{VID: 999})
	opts := bond.Options
	links := []intent.Link{
		{Name: bond.Bond, Kind: intent.LinkBond, MTU: bond.MTU, Master: bond.Bridge, BridgeVLANs: vlans, Bond: &opts},
		{Name: bond.Bridge, Kind: intent.LinkBridge, VLANFiltering: true},
	}
	for _, nic := range bond.NICs {
		links = append(links, intent.Link{Name: nic, Kind: intent.LinkDevice, Master: bond.Bond})
	}
	obs.Hosts = []intent.HostState{{Name: h.Name, Links: links}}
	d.Hosts = []intent.DesiredHost{{Name: h.Name, Bonds: []intent.DesiredBond{*bond}}}

	want := []string{
		"VLAN_EXTRA leaf1 " + lagItf.Name,
		"VLAN_EXTRA oob-sw " + port.Name,
		"HOST_VLAN_EXTRA " + h.Name + " " + bond.Bond,
	}
	for _, strict := range []bool{false, true} {
		fs := validate.Check(validate.Input{Desired: d, Observed: obs, StrictIsolation: strict})
		var got []string
		msgs := map[validate.Code][]string{}
		for _, f := range fs {
			got = append(got, string(f.Code)+" "+f.Device+" "+f.Object)
			msgs[f.Code] = append(msgs[f.Code], f.Message)
			sev := validate.SeverityWarning
			if strict {
				sev = validate.SeverityError
			}
			if f.Severity != sev {
				t.Errorf("strict %v: %s %s: severity %s, want %s", strict, f.Code, f.Object, f.Severity, sev)
			}
		}
		if diff := cmp.Diff(sortedCopy(want), sortedCopy(got)); diff != "" {
			t.Fatalf("strict %v: findings (-want +got):\n%s", strict, diff)
		}
		for _, frag := range []string{
			"VLANs " + intent.VLANRange(1, 4094).Minus(lag.Trunk.Allowed).String() + " allowed",
			"serving " + lag.Host + " " + intent.BondName(lag.ClusterNetwork),
			"VLANs 300-302,400 allowed", "serving " + port.Host + " " + port.NIC,
		} {
			if !strings.Contains(strings.Join(msgs[validate.VLANExtra], "\n"), frag) {
				t.Errorf("VLAN_EXTRA messages %q do not say %q", msgs[validate.VLANExtra], frag)
			}
		}
		if m := strings.Join(msgs[validate.HostVLANExtra], ""); !strings.Contains(m, "VLANs 999 ") {
			t.Errorf("HOST_VLAN_EXTRA message %q does not name VLAN 999", m)
		}
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	slices.Sort(out)
	return out
}
