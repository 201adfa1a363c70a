package validate_test

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/validate"
)

// TestReportNoFalseGreens: rules that did not run are skipped in JUnit,
// never passed; skipped and unreachable devices are counted; every finding
// says what was expected and found.
func TestReportNoFalseGreens(t *testing.T) {
	d := load(t, "harvester-seed.yaml")
	obs := converged(t, d)
	// leaf2 could not be observed.
	var kept []intent.SwitchState
	for _, s := range obs.Switches {
		if s.Name != "leaf2" {
			kept = append(kept, s)
		}
	}
	obs.Switches = kept
	un := []validate.Unreachable{{Device: "leaf2", Kind: "switch", Cause: cause.Timeout, Err: "open: no SSH banner"}}
	findings := validate.Check(validate.Input{Desired: d, Observed: obs, Unreachable: un})
	for _, f := range findings {
		if f.Expected == "" || f.Found == "" {
			t.Errorf("finding without expected/found: %+v", f)
		}
	}
	skips := []validate.Skip{
		{Device: "harvester-9", Kind: "host", Reason: "access: none"},
		{Code: validate.DHCPNoOffer, Reason: "the live DHCP probe did not run"},
	}
	rep := validate.NewReport([]string{"leaf1", "leaf2", "kea1"}, un, skips, findings)
	if rep.Clean {
		t.Error("a report with an unreachable device is clean")
	}
	if got := rep.Summary; got.Checked != 2 || got.Unreachable != 1 || got.Skipped != 1 {
		t.Errorf("summary %+v, want 2 checked, 1 unreachable, 1 skipped", got)
	}
	var b bytes.Buffer
	if err := rep.WriteJUnit(&b, map[string]string{"leaf1": "switch", "leaf2": "switch", "kea1": "dhcp", "harvester-9": "host"}); err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Skipped int `xml:"skipped,attr"`
		Suites  []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &suites); err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, s := range suites.Suites {
		for _, c := range s.Cases {
			st := "passed"
			switch {
			case c.Failure != nil:
				st = "failed"
			case c.Skipped != nil:
				st = "skipped"
			}
			status[s.Name+" "+c.Name] = st
		}
	}
	for k, want := range map[string]string{
		"leaf1 VLAN_NOT_ALLOWED":        "passed",
		"leaf2 VLAN_NOT_ALLOWED":        "skipped", // never observed
		"leaf2 TIMEOUT":                 "failed",
		"kea1 DHCP_NO_OFFER":            "skipped", // no probe
		"kea1 DHCP_POOL_MISSING":        "passed",
		"harvester-9 HOST_BOND_MISSING": "skipped",
	} {
		if status[k] != want {
			t.Errorf("%s: %q, want %q", k, status[k], want)
		}
	}
	var text bytes.Buffer
	if err := rep.WriteTable(&text, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "2 device(s) checked, 1 could not be observed, 1 skipped") ||
		!strings.Contains(text.String(), "skipped: harvester-9: access: none") {
		t.Errorf("the summary does not count unreachable and skipped devices:\n%s", text.String())
	}
}

// TestCablingFindingShowsTheNIC: hosts running lldpd announce their MAC as
// the port id and the NIC as the description; the finding shows the NIC.
func TestCablingFindingShowsTheNIC(t *testing.T) {
	d := load(t, "harvester-seed.yaml")
	obs := converged(t, d)
	ds := d.Switches[0]
	var dp intent.DesiredPort
	for _, p := range ds.Ports {
		dp = p
		break
	}
	sw := obs.Switch(ds.Name)
	sw.LLDP = append(sw.LLDP, intent.LLDPNeighbor{LocalPort: dp.Name, SystemName: dp.Host, PortID: "52:54:00:12:34:56", PortDescr: "eno99"})
	for _, f := range validate.Check(validate.Input{Desired: d, Observed: obs}) {
		if f.Code == validate.CablingMismatch {
			if f.Found != dp.Host+" eno99" || !strings.Contains(f.Message, dp.Host+" "+dp.NIC) {
				t.Errorf("cabling finding %+v: want found %q and the NIC it should serve", f, dp.Host+" eno99")
			}
			return
		}
	}
	t.Fatal("no CABLING_MISMATCH")
}
