package engine_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/netalign/netalign/internal/engine"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers"
)

// timedSwitch commits with a timer that reverts unless confirmed.
type timedSwitch struct {
	name       string
	unobserved bool // observation after the apply fails
	mu         sync.Mutex
	applied    bool
	pending    bool
	confirmed  *sync.Map
}

func (f *timedSwitch) Observe(context.Context) (*intent.SwitchState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.applied && f.unobserved {
		return nil, errors.New("no route to host")
	}
	return &intent.SwitchState{Name: f.name}, nil
}

func (f *timedSwitch) Apply(context.Context, []intent.SwitchChange) (*switchdrivers.ApplyResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applied, f.pending = true, true
	return &switchdrivers.ApplyResult{Lines: []string{"vlan 100"}}, nil
}

func (f *timedSwitch) Close() error { return nil }

func (f *timedSwitch) Pending() (bool, time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pending, time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
}

func (f *timedSwitch) Confirm(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pending = false
	f.confirmed.Store(f.name, true)
	return nil
}

// TestConfirmOnlyWhatWasObservedAgain: a timed commit is confirmed once the
// device was observed after the apply; one that could not be observed is
// left to revert by itself and reported so.
func TestConfirmOnlyWhatWasObservedAgain(t *testing.T) {
	f := newFleet(t, 2)
	var confirmed sync.Map
	reg := switchdrivers.NewRegistry()
	if err := reg.Register("fake", "ssh", func(ctx context.Context, cfg switchdrivers.Config, log *slog.Logger) (switchdrivers.Driver, error) {
		return &timedSwitch{name: cfg.Name, unobserved: cfg.Name == "sw001", confirmed: &confirmed}, nil
	}, switchdrivers.Rules{}); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(f.inv, engine.Options{Switches: reg, Timeout: 5 * time.Second})
	defer eng.Close()
	ctx := context.Background()
	obs := eng.Observe(ctx)
	results := eng.Apply(ctx, f.plan())
	after := eng.Reobserve(ctx, obs, results)
	eng.Confirm(ctx, results, after)
	status := map[string]engine.Status{}
	for _, r := range results {
		status[r.Device] = r.Status
	}
	if status["sw000"] != engine.StatusApplied || status["sw001"] != engine.StatusReverting {
		t.Errorf("statuses %v: want sw000 applied, sw001 reverting", status)
	}
	if _, ok := confirmed.Load("sw000"); !ok {
		t.Error("sw000 was observed after the apply but not confirmed")
	}
	if _, ok := confirmed.Load("sw001"); ok {
		t.Error("sw001 could not be observed after the apply but was confirmed")
	}
	for _, r := range results {
		if r.Device == "sw001" && r.Error == "" {
			t.Error("sw001 reverting without saying why")
		}
	}
}
