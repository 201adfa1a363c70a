package engine_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netalign/netalign/internal/engine"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/plan"
	"github.com/netalign/netalign/inventory"
	"github.com/netalign/netalign/switchdrivers"
)

// fakeSwitch is a hand-written switch driver: observe returns a fixed state,
// apply records the changes or fails as told.
type fakeSwitch struct {
	name      string
	fail      error
	block     chan struct{} // apply waits on it when set
	started   chan string
	applied   *sync.Map
	inflight  *atomic.Int32
	peak      *atomic.Int32
	observed  *sync.Map // name -> *atomic.Int32
	noObserve bool
	// closing counts closes started; Close waits for closeTogether of
	// them (or all closeTotal) when set.
	closing                   *atomic.Int32
	closeTogether, closeTotal int32
}

func (f *fakeSwitch) Observe(ctx context.Context) (*intent.SwitchState, error) {
	n, _ := f.observed.LoadOrStore(f.name, new(atomic.Int32))
	n.(*atomic.Int32).Add(1)
	if f.noObserve {
		return nil, errors.New("connection refused")
	}
	return &intent.SwitchState{Name: f.name, VLANs: []intent.VLAN{{ID: 1}}}, nil
}

func (f *fakeSwitch) Apply(ctx context.Context, changes []intent.SwitchChange) (*switchdrivers.ApplyResult, error) {
	n := f.inflight.Add(1)
	defer f.inflight.Add(-1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	if f.started != nil {
		f.started <- f.name
	}
	if f.block != nil {
		<-f.block
	}
	if f.fail != nil {
		return nil, &switchdrivers.RollbackError{Device: f.name, Err: f.fail, RolledBack: true}
	}
	f.applied.Store(f.name, len(changes))
	return &switchdrivers.ApplyResult{Lines: []string{"vlan 100"}}, nil
}

func (f *fakeSwitch) Close() error {
	if f.closing == nil {
		return nil
	}
	// Wait until as many closes as the parallelism run together: closes
	// made one after the other never get there.
	f.closing.Add(1)
	deadline := time.Now().Add(5 * time.Second)
	for f.closing.Load() < f.closeTogether && f.closing.Load() < f.closeTotal {
		if time.Now().After(deadline) {
			return errors.New("closed alone")
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

type fleet struct {
	inv       *inventory.Inventory
	reg       *switchdrivers.Registry
	applied   sync.Map
	observed  sync.Map
	noObserve map[string]bool
	closing   *atomic.Int32
	// closeTogether is how many closes must run at once.
	closeTogether int32
	inflight      atomic.Int32
	peak          atomic.Int32
	fail          map[string]error
	block         chan struct{}
	started       chan string
}

func newFleet(t *testing.T, n int) *fleet {
	t.Helper()
	t.Setenv("FAKE_USER", "u")
	t.Setenv("FAKE_PASS", "p")
	f := &fleet{inv: &inventory.Inventory{Version: 1}, reg: switchdrivers.NewRegistry(), fail: map[string]error{}, noObserve: map[string]bool{}}
	for i := range n {
		f.inv.Switches = append(f.inv.Switches, inventory.Switch{
			Name: fmt.Sprintf("sw%03d", i), Platform: "fake", Protocol: "ssh", Address: "127.0.0.1",
			Credentials: inventory.Credentials{UsernameEnv: "FAKE_USER", PasswordEnv: "FAKE_PASS"},
		})
	}
	if err := f.reg.Register("fake", "ssh", func(ctx context.Context, cfg switchdrivers.Config, log *slog.Logger) (switchdrivers.Driver, error) {
		return &fakeSwitch{name: cfg.Name, fail: f.fail[cfg.Name], block: f.block, started: f.started, applied: &f.applied, inflight: &f.inflight, peak: &f.peak,
			observed: &f.observed, noObserve: f.noObserve[cfg.Name],
			closing: f.closing, closeTogether: f.closeTogether, closeTotal: int32(len(f.inv.Switches))}, nil
	}, switchdrivers.Rules{}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fleet) plan() *plan.Plan {
	p := &plan.Plan{Version: 1}
	for _, sw := range f.inv.Switches {
		p.Devices = append(p.Devices, plan.Device{Name: sw.Name, Kind: plan.KindSwitch, Switch: []intent.SwitchChange{
			{Action: intent.Create, Object: intent.ObjVLAN, Name: "100", VLAN: &intent.VLAN{ID: 100}},
		}})
	}
	return p
}

func TestApplyOneFailureDoesNotStopOthers(t *testing.T) {
	f := newFleet(t, 20)
	f.fail["sw007"] = errors.New("commit rejected")
	eng := engine.New(f.inv, engine.Options{Switches: f.reg, Parallelism: 4, Timeout: 5 * time.Second})
	defer eng.Close()
	obs := eng.Observe(context.Background())
	if len(obs.Unreachable) != 0 || len(obs.Observed.Switches) != 20 {
		t.Fatalf("observe: %d unreachable, %d observed", len(obs.Unreachable), len(obs.Observed.Switches))
	}
	results := eng.Apply(context.Background(), f.plan())
	for _, r := range results {
		want := engine.StatusApplied
		if r.Device == "sw007" {
			want = engine.StatusRolledBack
		}
		if r.Status != want {
			t.Errorf("%s: %s (%s), want %s", r.Device, r.Status, r.Error, want)
		}
	}
	if p := f.peak.Load(); p > 4 {
		t.Errorf("%d applies ran at once, parallelism is 4", p)
	}
}

// observations counts the observations of each switch since the last call.
func (f *fleet) observations() map[string]int32 {
	m := map[string]int32{}
	f.observed.Range(func(k, v any) bool {
		m[k.(string)] = v.(*atomic.Int32).Swap(0)
		return true
	})
	return m
}

func TestReobserveReadsOnlyWhatApplyTouched(t *testing.T) {
	f := newFleet(t, 6)
	f.noObserve["sw005"] = true
	eng := engine.New(f.inv, engine.Options{Switches: f.reg, Parallelism: 4, Timeout: 5 * time.Second})
	defer eng.Close()
	obs := eng.Observe(context.Background())
	if len(obs.Unreachable) != 1 || len(obs.Observed.Switches) != 5 {
		t.Fatalf("observe: %+v", obs)
	}
	f.observations()
	results := []engine.Result{
		{Device: "sw000", Kind: plan.KindSwitch, Status: engine.StatusApplied},
		{Device: "sw001", Kind: plan.KindSwitch, Status: engine.StatusRolledBack},
		{Device: "sw002", Kind: plan.KindSwitch, Status: engine.StatusUnchanged},
		{Device: "sw003", Kind: plan.KindSwitch, Status: engine.StatusUnsaved},
		{Device: "sw004", Kind: plan.KindSwitch, Status: engine.StatusNotReached},
		{Device: "sw005", Kind: plan.KindSwitch, Status: engine.StatusSkipped},
	}
	after := eng.Reobserve(context.Background(), obs, results)
	want := map[string]int32{"sw000": 1, "sw001": 1, "sw002": 0, "sw003": 1, "sw004": 0, "sw005": 0}
	if got := f.observations(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("observations = %v, want %v", got, want)
	}
	var names []string
	for _, s := range after.Observed.Switches {
		names = append(names, s.Name)
	}
	if strings.Join(names, ",") != "sw000,sw001,sw002,sw003,sw004" || strings.Join(after.Devices, ",") != "sw000,sw001,sw002,sw003,sw004,sw005" {
		t.Errorf("switches %v, devices %v", names, after.Devices)
	}
	if len(after.Unreachable) != 1 || after.Unreachable[0].Device != "sw005" || after.Unreachable[0].Kind != "switch" {
		t.Errorf("unreachable = %+v; want sw005 kept", after.Unreachable)
	}
}

func TestCloseSaysGoodbyeToDevicesConcurrently(t *testing.T) {
	f := newFleet(t, 8)
	f.closing, f.closeTogether = new(atomic.Int32), 4
	eng := engine.New(f.inv, engine.Options{Switches: f.reg, Parallelism: 4, Timeout: 5 * time.Second})
	if obs := eng.Observe(context.Background()); len(obs.Unreachable) != 0 {
		t.Fatalf("observe: %+v", obs.Unreachable)
	}
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	if n := f.closing.Load(); n != 8 {
		t.Errorf("%d drivers closed, want 8", n)
	}
}

func TestApplyInterruptedStartsNothingNew(t *testing.T) {
	f := newFleet(t, 10)
	f.block = make(chan struct{})
	f.started = make(chan string, 10)
	eng := engine.New(f.inv, engine.Options{Switches: f.reg, Parallelism: 2, Timeout: 5 * time.Second})
	defer eng.Close()
	eng.Observe(context.Background())
	stop, cancel := context.WithCancel(context.Background())
	done := make(chan []engine.Result)
	go func() { done <- eng.Apply(stop, f.plan()) }()
	// Two transactions are in flight; interrupt, then let them finish.
	<-f.started
	<-f.started
	cancel()
	close(f.block)
	results := <-done
	applied, notReached := 0, 0
	for _, r := range results {
		switch r.Status {
		case engine.StatusApplied:
			applied++
		case engine.StatusNotReached:
			notReached++
		default:
			t.Errorf("%s: unexpected status %s %s", r.Device, r.Status, r.Error)
		}
	}
	if applied != 2 || notReached != 8 {
		t.Errorf("applied %d, not reached %d; want the 2 in-flight applied and 8 not reached", applied, notReached)
	}
}

func TestObserveUnknownPlatform(t *testing.T) {
	f := newFleet(t, 1)
	f.inv.Switches[0].Platform = "junos"
	eng := engine.New(f.inv, engine.Options{Switches: f.reg})
	obs := eng.Observe(context.Background())
	if len(obs.Unreachable) != 1 || !strings.Contains(obs.Unreachable[0].Err, `no driver for platform "junos"`) {
		t.Fatalf("unreachable: %+v", obs.Unreachable)
	}
}
