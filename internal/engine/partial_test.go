package engine_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/engine"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/plan"
	"github.com/netalign/netalign/internal/validate"
	"github.com/netalign/netalign/inventory"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/eos"
)

// outputSwitch observes by parsing a fixed `show vlan | json` with the EOS
// driver's parser, and records what it is asked to apply.
type outputSwitch struct {
	name    string
	vlans   string
	applied *[]string
}

func (s *outputSwitch) Observe(ctx context.Context) (*intent.SwitchState, error) {
	return eos.BuildState(s.name, eos.Outputs{VLAN: []byte(s.vlans)})
}

func (s *outputSwitch) Apply(ctx context.Context, changes []intent.SwitchChange) (*switchdrivers.ApplyResult, error) {
	*s.applied = append(*s.applied, s.name)
	return &switchdrivers.ApplyResult{}, nil
}

func (s *outputSwitch) Close() error { return nil }

// TestPartialObservationHoldsBackOneSwitch: of two switches, one prints a
// VLAN record its driver does not understand (a status word it does not
// know). It is observed all the same, validate says OBSERVE_PARTIAL for
// that record, and apply leaves that switch alone — the record is about
// VLAN 100, which the plan needs — while the other one is changed.
func TestPartialObservationHoldsBackOneSwitch(t *testing.T) {
	t.Setenv("FAKE_USER", "u")
	t.Setenv("FAKE_PASS", "p")
	outputs := map[string]string{
		"sw-ok":  `{"vlans": {"1": {"name": "default", "status": "active"}}}`,
		"sw-odd": `{"vlans": {"1": {"name": "default", "status": "active"}, "100": {"name": "vlan100", "status": "hibernating"}}}`,
	}
	inv := &inventory.Inventory{Version: 1}
	desired := &intent.Desired{}
	for _, name := range []string{"sw-odd", "sw-ok"} {
		inv.Switches = append(inv.Switches, inventory.Switch{Name: name, Platform: "output", Protocol: "ssh", Address: "127.0.0.1",
			Credentials: inventory.Credentials{UsernameEnv: "FAKE_USER", PasswordEnv: "FAKE_PASS"}})
		desired.Switches = append(desired.Switches, intent.DesiredSwitch{Name: name, Platform: "output",
			VLANs: []intent.VLAN{{ID: 100, Name: "vlan100"}}, LAGRange: [2]int{10, 99}})
	}
	var applied []string
	reg := switchdrivers.NewRegistry()
	if err := reg.Register("output", "ssh", func(ctx context.Context, cfg switchdrivers.Config, log *slog.Logger) (switchdrivers.Driver, error) {
		return &outputSwitch{name: cfg.Name, vlans: outputs[cfg.Name], applied: &applied}, nil
	}, switchdrivers.Rules{}); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(inv, engine.Options{Switches: reg, Parallelism: 2, Timeout: 5 * time.Second})
	defer eng.Close()
	obs := eng.Observe(context.Background())
	if len(obs.Unreachable) != 0 || len(obs.Observed.Switches) != 2 {
		t.Fatalf("unreachable %v, %d observed; want both observed", obs.Unreachable, len(obs.Observed.Switches))
	}

	var got []string
	for _, f := range validate.Check(validate.Input{Desired: desired, Observed: obs.Observed}) {
		got = append(got, string(f.Code)+" "+f.Device+" "+f.Object)
	}
	want := []string{"OBSERVE_PARTIAL sw-odd vlan 100", "VLAN_NOT_DEFINED sw-odd vlan 100", "VLAN_NOT_DEFINED sw-ok vlan 100"}
	if !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}

	p, err := eng.Plan(desired, obs, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	results := eng.Apply(context.Background(), p)
	engine.SortResults(results)
	status := map[string]engine.Result{}
	for _, r := range results {
		status[r.Device] = r
	}
	if r := status["sw-odd"]; r.Status != engine.StatusSkipped || r.Cause != cause.ObservePartial ||
		r.Reason != `observation incomplete: show vlan | json: vlan 100: status "hibernating" not understood` {
		t.Errorf("sw-odd: %+v; want skipped, OBSERVE_PARTIAL", r)
	}
	if r := status["sw-ok"]; r.Status != engine.StatusApplied {
		t.Errorf("sw-ok: %+v; want applied", r)
	}
	if !slices.Equal(applied, []string{"sw-ok"}) {
		t.Errorf("applied to %v, want sw-ok only", applied)
	}
}
