package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/netalign/netalign/internal/lab"
)

// FleetConfig is one fleet benchmark run.
type FleetConfig struct {
	// Netalign is the netalign binary under test.
	Netalign string
	// N switches with Ports host ports each.
	N, Ports int
	// Latency is injected on every switch, once per round trip.
	Latency time.Duration
	// Parallelism is passed to netalign (--parallelism).
	Parallelism int
	// Dir holds the lab directory.
	Dir string
	Log *slog.Logger
}

// Step is one measured netalign command.
type Step struct {
	Name string
	Run  Run
	// Lab is what the switches served during the step.
	Lab PerSwitch
	// LabCPU is the CPU time the lab (this process) spent meanwhile.
	LabCPU time.Duration
	// BoundRoundTrips is the physical minimum of latency-bearing round
	// trips per device for the step, and Bound the physical bound of the
	// whole step.
	BoundRoundTrips int
	Bound           time.Duration
}

// Ratio is measured wall time over the physical bound.
func (s Step) Ratio() float64 {
	if s.Bound <= 0 {
		return math.NaN()
	}
	return s.Run.Wall.Seconds() / s.Bound.Seconds()
}

// CPUFloor is the wall time the CPU work of the step (netalign's and the
// lab's) needs at least on this machine's cores.
func (s Step) CPUFloor() time.Duration {
	return (s.Run.CPU + s.LabCPU) / time.Duration(runtime.NumCPU())
}

// FleetResult is the outcome of one fleet run.
type FleetResult struct {
	N, Ports, Parallelism int
	Latency               time.Duration
	// Handshake is the measured cost of one SSH login to a simulated
	// switch up to its first prompt (TCP, key exchange, password
	// authentication, pty and shell), the median of several.
	Handshake time.Duration
	Steps     []Step
	// Ideal is the wall time of IdealObserve over the same fleet, after
	// the steps: what any client needs to observe it on this machine.
	Ideal time.Duration
}

// Bound is the physical bound of a step in which every device needs rt
// latency-bearing round trips after one login, devices handled
// parallelism at a time: ceil(N/parallelism) × (rt × latency + handshake).
func Bound(n, parallelism, rt int, latency, handshake time.Duration) time.Duration {
	waves := (n + parallelism - 1) / parallelism
	return time.Duration(waves) * (time.Duration(rt)*latency + handshake)
}

// Physical minimum round trips per device: apply from blank needs one
// observation and one batched commit; a no-change apply and validate need
// one observation.
const (
	boundApplyRT    = 2
	boundObserveRT  = 1
	fleetStepApply  = "apply (from blank)"
	fleetStepNoop   = "apply (no change)"
	fleetStepVerify = "validate"
)

// Fleet runs the fleet benchmark: a lab of cfg.N switches (in this
// process), then netalign apply from blank, apply again and validate as
// subprocesses.
func Fleet(ctx context.Context, cfg FleetConfig) (*FleetResult, error) {
	dir := filepath.Join(cfg.Dir, fmt.Sprintf("fleet-%d-%d-%s", cfg.N, cfg.Ports, cfg.Latency))
	if err := os.RemoveAll(filepath.Join(dir, lab.InventoryFile)); err != nil {
		return nil, err
	}
	l, err := StartLab(ctx, lab.FleetInventory(cfg.N, cfg.Ports), dir, cfg.Ports, cfg.Latency, cfg.Log)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	res := &FleetResult{N: cfg.N, Ports: cfg.Ports, Parallelism: cfg.Parallelism, Latency: cfg.Latency}
	if res.Handshake, err = Handshake(ctx, l); err != nil {
		return nil, err
	}
	steps := []struct {
		name string
		args []string
		rt   int
		want string
	}{
		{fleetStepApply, []string{"apply", "--yes"}, boundApplyRT, "applied"},
		{fleetStepNoop, []string{"apply", "--yes"}, boundObserveRT, "unchanged"},
		{fleetStepVerify, []string{"validate"}, boundObserveRT, ""},
	}
	for _, s := range steps {
		args := append(append([]string{}, s.args...), "-i", l.InventoryPath(), "-o", "json",
			"--parallelism", strconv.Itoa(cfg.Parallelism), "--timeout", "10m")
		cfg.Log.Info("fleet step", "n", cfg.N, "ports", cfg.Ports, "latency", cfg.Latency, "step", s.name)
		before := counterMap(l)
		cpu0 := selfCPU()
		r, err := Exec(ctx, LabEnv(), "", cfg.Netalign, args...)
		labCPU := selfCPU() - cpu0
		if err != nil {
			return nil, err
		}
		if r.Exit != 0 {
			return nil, fmt.Errorf("fleet %d: %s: exit %d\n%.2000s", cfg.N, s.name, r.Exit, r.Stderr)
		}
		if s.want != "" {
			if err := checkStatuses(r.Stdout, s.want, cfg.N); err != nil {
				return nil, fmt.Errorf("fleet %d: %s: %w", cfg.N, s.name, err)
			}
		}
		st := Step{Name: s.name, Run: r, Lab: delta(before, counterMap(l)), LabCPU: labCPU, BoundRoundTrips: s.rt,
			Bound: Bound(cfg.N, cfg.Parallelism, s.rt, cfg.Latency, res.Handshake)}
		r.Stdout, r.Stderr = "", ""
		st.Run = r
		cfg.Log.Info("fleet step done", "step", s.name, "wall", r.Wall, "cpu", r.CPU, "maxrss_mb", r.MaxRSS>>20,
			"round_trips_per_switch", st.Lab.RoundTrips, "ratio", fmt.Sprintf("%.2f", st.Ratio()))
		res.Steps = append(res.Steps, st)
	}
	var addrs []string
	for _, sw := range l.Switches() {
		addrs = append(addrs, sw.Addr)
	}
	if res.Ideal, err = IdealObserve(ctx, addrs, cfg.Parallelism); err != nil {
		return nil, fmt.Errorf("fleet %d: ideal client: %w", cfg.N, err)
	}
	cfg.Log.Info("ideal client observed", "n", cfg.N, "wall", res.Ideal)
	return res, nil
}

// checkStatuses checks that apply's JSON report gives every switch the
// wanted status.
func checkStatuses(out, want string, n int) error {
	var rep struct {
		Results []struct{ Device, Kind, Status, Error string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		return fmt.Errorf("apply report: %w", err)
	}
	got := 0
	for _, r := range rep.Results {
		if r.Kind != "switch" {
			continue
		}
		if r.Status != want {
			return fmt.Errorf("switch %s: status %s, want %s %s", r.Device, r.Status, want, r.Error)
		}
		got++
	}
	if got != n {
		return fmt.Errorf("%d switches in the report, want %d", got, n)
	}
	return nil
}

// Handshake measures one SSH login to the first switch of l up to its
// first prompt, the median of five.
func Handshake(ctx context.Context, l *lab.Lab) (time.Duration, error) {
	sws := l.Switches()
	if len(sws) == 0 {
		return 0, fmt.Errorf("handshake: no switch")
	}
	var ds []time.Duration
	for range 5 {
		start := time.Now()
		sh, err := login(ctx, sws[0].Addr)
		if err == nil {
			_, err = sh.readPrompts(1)
			sh.close()
		}
		if err != nil {
			return 0, fmt.Errorf("handshake: %w", err)
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	return ds[len(ds)/2], nil
}
