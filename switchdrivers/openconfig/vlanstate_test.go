package openconfig

import (
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
	labgnmi "github.com/netalign/netalign/internal/lab/gnmi"
)

// TestVLANStateObservedAndReactivated: VLAN 100 suspended behind
// netalign's back (`netalign lab drift vlan-state 100 suspend`) is
// observed as suspended from /vlans/vlan/state/status; the reactivation
// sets config/status ACTIVE in one SetRequest, and the EOS CLI on the same
// device model says active again.
func TestVLANStateObservedAndReactivated(t *testing.T) {
	ls := startLab(t, device.PlatformEOS, labgnmi.Options{})
	d := openDriver(t, ls, nil)
	ctx := testCtx(t)
	if _, err := d.Apply(ctx, lacpLAGChanges()); err != nil {
		t.Fatal(err)
	}
	if err := ls.dev.Drift([]string{"vlan-state", "100", "suspend"}); err != nil {
		t.Fatal(err)
	}
	st, err := d.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v := st.VLAN(100); v == nil || *v != (intent.VLAN{ID: 100, Name: "vlan100", Suspended: true}) {
		t.Errorf("VLAN 100 = %+v, want suspended", v)
	}
	if v := st.VLAN(10); v == nil || !v.Active() || len(st.Partial) != 0 {
		t.Errorf("VLAN 10 = %+v, partial %v", v, st.Partial)
	}
	if out := string(sshShow(t, ls, "show vlan")); !strings.Contains(out, "suspended") {
		t.Errorf("show vlan:\n%s", out)
	}
	res, err := d.Apply(ctx, []intent.SwitchChange{
		{Action: intent.Update, Object: intent.ObjVLAN, Name: "100", VLAN: &intent.VLAN{ID: 100}, Reactivate: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := `update /network-instances/network-instance[name=default]/vlans/vlan[vlan-id=100]/config {"status":"ACTIVE","vlan-id":100}`; len(res.Lines) != 1 || res.Lines[0] != want {
		t.Errorf("lines %q, want %q", res.Lines, want)
	}
	st, err = d.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v := st.VLAN(100); v == nil || *v != (intent.VLAN{ID: 100, Name: "vlan100"}) {
		t.Errorf("VLAN 100 after the reactivation = %+v, want active", v)
	}
	if out := string(sshShow(t, ls, "show vlan")); strings.Contains(out, "suspended") {
		t.Errorf("show vlan:\n%s", out)
	}
	// OpenConfig has no shutdown in VLAN mode.
	if err := ls.dev.Drift([]string{"vlan-state", "100", "shutdown"}); err == nil {
		t.Error("vlan-state shutdown accepted on an EOS device")
	}
}
