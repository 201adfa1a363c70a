package drivertest

import (
	"errors"
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/clisession"
)

// labVLANState: an operator suspends VLAN 100 at the CLI (and on NX-OS
// shuts it down in VLAN mode too); the driver observes it inactive, the
// reactivation change makes it active again, and the VLAN's name is left as
// it was.
func (p Platform) labVLANState(t *testing.T) {
	sw := p.Start(t)
	d := p.OpenLab(t, sw)
	if _, err := d.Apply(Context(t), p.SeedChanges()); err != nil {
		t.Fatal(err)
	}
	s, err := clisession.Open(Context(t), sw.Config, p.Scrapli, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	lines := []string{"configure terminal", "vlan 100", "state suspend"}
	want := intent.VLAN{ID: 100, Name: "vlan100", Suspended: true}
	status := "suspended"
	if p.Name == device.PlatformNXOS {
		lines, want.Shutdown, status = append(lines, "shutdown"), true, "sus/lshut"
	}
	if _, err := s.SendLines(Context(t), append(lines, "end")); err != nil {
		t.Fatal(err)
	}
	if p.Name == device.PlatformEOS {
		// EOS has no `shutdown` in VLAN configuration mode.
		_, err := s.SendLines(Context(t), []string{"configure terminal", "vlan 100", "shutdown"})
		var ce *switchdrivers.CommandError
		if !errors.As(err, &ce) {
			t.Errorf("shutdown in vlan mode on EOS: %v, want the CLI's refusal", err)
		}
		if _, err := s.SendLines(Context(t), []string{"end"}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := d.Observe(Context(t))
	if err != nil {
		t.Fatal(err)
	}
	sw.MatchesModel(t, st)
	if v := st.VLAN(100); v == nil || *v != want {
		t.Errorf("VLAN 100 = %+v, want %+v", v, want)
	}
	if v := st.VLAN(10); v == nil || !v.Active() {
		t.Errorf("VLAN 10 = %+v, want active", v)
	}
	if out, err := p.Show(t, sw, "show vlan"); err != nil || !strings.Contains(out, status) {
		t.Errorf("show vlan does not say %s:\n%s (%v)", status, out, err)
	}
	if _, err := d.Apply(Context(t), []intent.SwitchChange{
		{Action: intent.Update, Object: intent.ObjVLAN, Name: "100", VLAN: &intent.VLAN{ID: 100}, Reactivate: true},
	}); err != nil {
		t.Fatal(err)
	}
	st, err = d.Observe(Context(t))
	if err != nil {
		t.Fatal(err)
	}
	if v := st.VLAN(100); v == nil || *v != (intent.VLAN{ID: 100, Name: "vlan100"}) {
		t.Errorf("VLAN 100 after the reactivation = %+v, want active and named vlan100", v)
	}
	sw.MatchesModel(t, st)
	if run := p.RunningConfig(t, sw); strings.Contains(run, "state suspend") {
		t.Errorf("running-config still suspends a VLAN:\n%s", run)
	}
}
