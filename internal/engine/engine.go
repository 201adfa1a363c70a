package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/plan"
	"github.com/netalign/netalign/internal/validate"
	"github.com/netalign/netalign/inventory"
	"github.com/netalign/netalign/switchdrivers"
)

// HostBackend observes and applies Linux hosts (implemented by hostnet).
type HostBackend interface {
	// Observe reads a host's links: locally through netlink, or read-only
	// over SSH.
	Observe(ctx context.Context, h inventory.Host) (*intent.HostState, error)
	// Apply runs a host's changes as one transaction with rollback.
	Apply(ctx context.Context, h inventory.Host, changes []intent.HostChange) error
	// Diff is the host planner.
	Diff(desired intent.DesiredHost, observed intent.HostState) []intent.HostChange
}

// Options configure an Engine.
type Options struct {
	Switches *switchdrivers.Registry
	DHCP     *dhcp.Registry
	// Hosts may be nil: hosts are then not observed.
	Hosts       HostBackend
	Log         *slog.Logger
	Parallelism int
	// Timeout is each device's deadline for one observe or apply.
	Timeout time.Duration
	// NoSave skips copying running to startup config after switch commits.
	NoSave bool
	// Insecure skips host key / certificate checks on every switch.
	Insecure bool
	// Progress, when set, is told about each device as it starts and ends.
	Progress Progress
	// DeviceLock, when set, is held around each transaction on a switch
	// or DHCP server, keyed by what reaches the device ("switch
	// 192.0.2.11:22"): runs of this machine with different inventories
	// change a shared device one after the other. It waits at most until
	// ctx ends.
	DeviceLock func(ctx context.Context, key string) (release func(), err error)
}

// Progress receives per-device progress (a terminal bar or log lines).
type Progress interface {
	Start(phase string, total int)
	Done(device string, status Status)
	Finish()
}

// Engine holds the drivers of one run.
type Engine struct {
	opts Options
	inv  *inventory.Inventory

	mu       sync.Mutex
	switches map[string]switchdrivers.Driver
	servers  map[string]dhcp.Server
	// flights are the operations running now, by device.
	flights map[string]Flight
	// pending are the switches whose last commit reverts unless
	// confirmed, kept apart from the drivers: a driver dropped after a
	// failed observation must not take that fact with it.
	pending map[string]pendingCommit
}

type pendingCommit struct {
	c  switchdrivers.Confirmer
	at time.Time
}

// Flight is an operation running on a device.
type Flight struct {
	Device string
	Phase  string
	// Deadline is when the operation's own deadline ends it.
	Deadline time.Time
}

// InFlight lists the operations running now, sorted by device. An
// interrupted apply waits for these (a transaction finishes or rolls back)
// until the latest Deadline.
func (e *Engine) InFlight() []Flight {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Flight, 0, len(e.flights))
	for _, f := range e.flights {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Device < out[j].Device })
	return out
}

// DeviceError is a device's failure in one operation. It is the only place
// a device's name is added to an error: drivers never name the device.
type DeviceError struct {
	Device string
	// Op is the operation: open, observe, apply.
	Op  string
	Err error
}

// Error is "device: op: cause".
func (e *DeviceError) Error() string { return e.Device + ": " + e.Detail() }

// Detail is the error without the device: "op: cause".
func (e *DeviceError) Detail() string {
	msg := e.Err.Error()
	// A driver that still names the device would say it twice.
	msg = strings.TrimPrefix(msg, e.Device+": ")
	if e.Op == "" || strings.HasPrefix(msg, e.Op+": ") {
		return msg
	}
	return e.Op + ": " + msg
}

func (e *DeviceError) Unwrap() error { return e.Err }

// deviceErr wraps err as device's failure in op, once.
func deviceErr(device, op string, err error) error {
	if err == nil {
		return nil
	}
	var de *DeviceError
	if errors.As(err, &de) && de.Device == device {
		return err
	}
	return &DeviceError{Device: device, Op: op, Err: err}
}

// detail is err's message without the device name.
func detail(err error) string {
	var de *DeviceError
	if errors.As(err, &de) {
		return de.Detail()
	}
	return err.Error()
}

// New returns an engine for inv.
func New(inv *inventory.Inventory, opts Options) *Engine {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Parallelism <= 0 {
		opts.Parallelism = 16
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	return &Engine{opts: opts, inv: inv, switches: map[string]switchdrivers.Driver{}, servers: map[string]dhcp.Server{}, flights: map[string]Flight{}, pending: map[string]pendingCommit{}}
}

// Close closes every open driver.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	type closer struct {
		name string
		c    interface{ Close() error }
	}
	var all []closer
	for name, d := range e.switches {
		all = append(all, closer{name, d})
	}
	for name, s := range e.servers {
		all = append(all, closer{name, s})
	}
	// Each close says goodbye to its device; done one after the other,
	// a fleet would wait for every goodbye in turn.
	errs := make([]error, len(all))
	var g errgroup.Group
	g.SetLimit(e.opts.Parallelism)
	for i, x := range all {
		g.Go(func() error {
			if err := x.c.Close(); err != nil {
				errs[i] = fmt.Errorf("%s: close: %w", x.name, err)
			}
			return nil
		})
	}
	_ = g.Wait()
	e.switches, e.servers = map[string]switchdrivers.Driver{}, map[string]dhcp.Server{}
	return errors.Join(errs...)
}

func (e *Engine) switchDriver(ctx context.Context, sw inventory.Switch) (switchdrivers.Driver, error) {
	e.mu.Lock()
	d, ok := e.switches[sw.Name]
	e.mu.Unlock()
	if ok {
		return d, nil
	}
	if e.opts.Switches == nil {
		return nil, deviceErr(sw.Name, "open", cause.Wrap(cause.NoDriver, switchdrivers.ErrNoDriver, "no switch drivers in this build"))
	}
	cfg, err := switchdrivers.ConfigFor(sw, e.inv.Settings)
	if err != nil {
		return nil, deviceErr(sw.Name, "open", err)
	}
	cfg.Save = cfg.Save && !e.opts.NoSave
	cfg.Insecure = cfg.Insecure || e.opts.Insecure
	cfg.Timeout = e.opts.Timeout
	d, err = e.opts.Switches.Open(ctx, cfg, e.opts.Log.With("device", sw.Name))
	if errors.Is(err, switchdrivers.ErrNoDriver) {
		err = cause.Wrap(cause.NoDriver, err, "%s", err.Error())
	}
	if err != nil {
		return nil, deviceErr(sw.Name, "open", err)
	}
	e.mu.Lock()
	e.switches[sw.Name] = d
	e.mu.Unlock()
	return d, nil
}

func (e *Engine) dhcpServer(ctx context.Context, s inventory.DHCPServer) (dhcp.Server, error) {
	e.mu.Lock()
	d, ok := e.servers[s.Name]
	e.mu.Unlock()
	if ok {
		return d, nil
	}
	if e.opts.DHCP == nil {
		return nil, deviceErr(s.Name, "open", cause.Wrap(cause.NoDriver, dhcp.ErrNoDriver, "no DHCP drivers in this build"))
	}
	d, err := e.opts.DHCP.Open(ctx, s, e.opts.Log.With("device", s.Name))
	if errors.Is(err, dhcp.ErrNoDriver) {
		err = cause.Wrap(cause.NoDriver, err, "%s", err.Error())
	}
	if err != nil {
		return nil, deviceErr(s.Name, "open", err)
	}
	e.mu.Lock()
	e.servers[s.Name] = d
	e.mu.Unlock()
	return d, nil
}

// dropSwitch forgets (and closes) a switch driver after an error, so the next
// use reconnects.
func (e *Engine) dropSwitch(name string) {
	e.mu.Lock()
	d, ok := e.switches[name]
	delete(e.switches, name)
	e.mu.Unlock()
	if ok {
		_ = d.Close()
	}
}

// Observation is the outcome of observing every device.
type Observation struct {
	Observed    *intent.Observed
	Unreachable []validate.Unreachable
	// Skipped are the devices not asked, with why (hosts netalign has no
	// access to).
	Skipped []validate.Skip
	// Devices lists every device that was asked, by name.
	Devices []string
}

type job struct {
	name, kind string
	run        func(ctx context.Context) error
}

// Observe reads every switch, DHCP server and reachable host concurrently,
// at most Parallelism at once, each within Timeout. A device that fails is
// reported in Unreachable; the others carry on.
func (e *Engine) Observe(ctx context.Context) *Observation {
	return e.observe(ctx, nil, nil)
}

// Reobserve reads again, after Apply, the devices a transaction may have
// changed (applied, failed, rolled back, unsaved) and keeps prev's view of
// the others: a device apply left alone is as it was observed.
func (e *Engine) Reobserve(ctx context.Context, prev *Observation, results []Result) *Observation {
	touched := map[string]bool{}
	for _, r := range results {
		switch r.Status {
		case StatusUnchanged, StatusSkipped, StatusNotReached:
		default:
			touched[string(r.Kind)+"/"+r.Device] = true
		}
	}
	return e.observe(ctx, func(kind, name string) bool { return touched[kind+"/"+name] }, prev)
}

// observe reads the devices only selects (all with a nil only) and takes
// the others from prev.
func (e *Engine) observe(ctx context.Context, only func(kind, name string) bool, prev *Observation) *Observation {
	inv := e.inv
	obs := &intent.Observed{Version: intent.SnapshotVersion}
	swStates := make([]*intent.SwitchState, len(inv.Switches))
	dhcpStates := make([]*intent.DHCPState, len(inv.DHCPServers))
	hostStates := make([]*intent.HostState, len(inv.Hosts))
	kept := prevIndex(prev)
	// devices lists every device asked, in inventory order: a job index,
	// or -1 for one whose observation is kept from prev.
	type device struct {
		kind, name string
		job        int
	}
	var (
		devices []device
		jobs    []job
		skipped []validate.Skip
	)
	add := func(kind, name string, run func(ctx context.Context) error) bool {
		if only != nil && !only(kind, name) {
			devices = append(devices, device{kind, name, -1})
			return false
		}
		devices = append(devices, device{kind, name, len(jobs)})
		jobs = append(jobs, job{name, kind, run})
		return true
	}
	for i, sw := range inv.Switches {
		if !add("switch", sw.Name, func(ctx context.Context) error {
			d, err := e.switchDriver(ctx, sw)
			if err != nil {
				return err
			}
			st, err := d.Observe(ctx)
			if err != nil {
				e.dropSwitch(sw.Name)
				return deviceErr(sw.Name, "observe", err)
			}
			st.Name, st.Platform = sw.Name, sw.Platform
			swStates[i] = st
			return nil
		}) {
			swStates[i] = kept.switches[sw.Name]
		}
	}
	for i, s := range inv.DHCPServers {
		if !add("dhcp", s.Name, func(ctx context.Context) error {
			d, err := e.dhcpServer(ctx, s)
			if err != nil {
				return err
			}
			pools, err := d.Observe(ctx)
			if err != nil {
				return deviceErr(s.Name, "observe", err)
			}
			if pools == nil {
				pools = []intent.Pool{}
			}
			dhcpStates[i] = &intent.DHCPState{Server: s.Name, Kind: s.Kind, Pools: pools}
			return nil
		}) {
			dhcpStates[i] = kept.dhcp[s.Name]
		}
	}
	for i, h := range inv.Hosts {
		access := h.Access
		if access == "" && h.SSH != nil && h.Address != "" {
			access = "ssh"
		}
		switch {
		case access == "" || access == "none":
			skipped = append(skipped, validate.Skip{Device: h.Name, Kind: "host", Reason: "access: none (netalign does not reach this host; set access: ssh or local to check it)"})
			continue
		case e.opts.Hosts == nil:
			skipped = append(skipped, validate.Skip{Device: h.Name, Kind: "host", Reason: "host networking is not available in this build"})
			continue
		}
		if !add("host", h.Name, func(ctx context.Context) error {
			st, err := e.opts.Hosts.Observe(ctx, h)
			if err != nil {
				return deviceErr(h.Name, "observe", err)
			}
			st.Name = h.Name
			hostStates[i] = st
			return nil
		}) {
			hostStates[i] = kept.hosts[h.Name]
		}
	}
	errs := e.run(ctx, "observe", jobs, false)
	out := &Observation{Observed: obs, Skipped: skipped}
	for _, d := range devices {
		out.Devices = append(out.Devices, d.name)
		switch {
		case d.job >= 0 && errs[d.job] != nil:
			err := errs[d.job]
			out.Unreachable = append(out.Unreachable, validate.Unreachable{Device: d.name, Kind: d.kind, Cause: cause.Of(err), Err: detail(err)})
		case d.job < 0:
			if u, ok := kept.unreachable[d.kind+"/"+d.name]; ok {
				out.Unreachable = append(out.Unreachable, u)
			}
		}
	}
	for _, s := range swStates {
		if s != nil {
			obs.Switches = append(obs.Switches, *s)
		}
	}
	for _, s := range dhcpStates {
		if s != nil {
			obs.DHCP = append(obs.DHCP, *s)
		}
	}
	for _, s := range hostStates {
		if s != nil {
			obs.Hosts = append(obs.Hosts, *s)
		}
	}
	return out
}

// observed indexes an earlier observation by device.
type observed struct {
	switches    map[string]*intent.SwitchState
	dhcp        map[string]*intent.DHCPState
	hosts       map[string]*intent.HostState
	unreachable map[string]validate.Unreachable
}

func prevIndex(prev *Observation) observed {
	x := observed{map[string]*intent.SwitchState{}, map[string]*intent.DHCPState{}, map[string]*intent.HostState{}, map[string]validate.Unreachable{}}
	if prev == nil {
		return x
	}
	for i := range prev.Observed.Switches {
		x.switches[prev.Observed.Switches[i].Name] = &prev.Observed.Switches[i]
	}
	for i := range prev.Observed.DHCP {
		x.dhcp[prev.Observed.DHCP[i].Server] = &prev.Observed.DHCP[i]
	}
	for i := range prev.Observed.Hosts {
		x.hosts[prev.Observed.Hosts[i].Name] = &prev.Observed.Hosts[i]
	}
	for _, u := range prev.Unreachable {
		x.unreachable[u.Kind+"/"+u.Device] = u
	}
	return x
}

// run executes jobs with bounded parallelism and a per-device deadline; the
// error of job i is in slot i. Jobs not started when ctx ends are not run:
// they get errNotReached. With detach, a started job is not cut by ctx (an
// in-flight transaction must finish or roll back); only its deadline ends it.
func (e *Engine) run(ctx context.Context, phase string, jobs []job, detach bool) []error {
	errs := make([]error, len(jobs))
	if e.opts.Progress != nil {
		e.opts.Progress.Start(phase, len(jobs))
		defer e.opts.Progress.Finish()
	}
	done := StatusOK
	if detach {
		done = StatusApplied
	}
	var g errgroup.Group
	g.SetLimit(e.opts.Parallelism)
	for i, j := range jobs {
		if ctx.Err() != nil {
			errs[i] = deviceErr(j.name, phase, notReached(ctx))
			continue
		}
		g.Go(func() error {
			if ctx.Err() != nil {
				errs[i] = deviceErr(j.name, phase, notReached(ctx))
				return nil
			}
			parent := ctx
			if detach {
				parent = context.WithoutCancel(ctx)
			}
			dctx, cancel := context.WithTimeout(parent, e.opts.Timeout)
			defer cancel()
			start := time.Now()
			key := j.kind + "/" + j.name
			e.mu.Lock()
			e.flights[key] = Flight{Device: j.name, Phase: phase, Deadline: start.Add(e.opts.Timeout)}
			e.mu.Unlock()
			errs[i] = j.run(dctx)
			e.mu.Lock()
			delete(e.flights, key)
			e.mu.Unlock()
			status := done
			if errs[i] != nil {
				status = StatusFailed
				e.opts.Log.Warn(phase+" failed", "device", j.name, "cause", cause.Of(errs[i]), "err", detail(errs[i]))
			} else {
				level := slog.LevelDebug
				if detach {
					level = slog.LevelInfo
				}
				e.opts.Log.Log(dctx, level, phase+" done", "device", j.name, "took", time.Since(start).Round(time.Millisecond))
			}
			if e.opts.Progress != nil {
				e.opts.Progress.Done(j.name, status)
			}
			return nil
		})
	}
	_ = g.Wait()
	return errs
}

// Status is the outcome of one device in an apply.
type Status string

// Statuses.
const (
	StatusOK      Status = "ok"
	StatusApplied Status = "applied"
	// StatusUnsaved: committed to running-config, but the copy to
	// startup-config failed; the change is lost on reload.
	StatusUnsaved    Status = "applied-unsaved"
	StatusUnchanged  Status = "unchanged"
	StatusRolledBack Status = "rolled-back"
	StatusFailed     Status = "failed"
	StatusSkipped    Status = "skipped"
	// StatusReverting: committed with a timer that reverts it, and not
	// confirmed because the check after the apply failed; the device
	// goes back to its earlier configuration by itself.
	StatusReverting  Status = "reverting"
	StatusNotReached Status = "not-reached"
)

// Result is what happened to one device during apply.
type Result struct {
	Device  string          `json:"device"`
	Kind    plan.DeviceKind `json:"kind"`
	Status  Status          `json:"status"`
	Changes int             `json:"changes"`
	// Cause is set with Error: why the device failed (internal/cause).
	Cause cause.Code `json:"cause,omitempty"`
	// Error is the failure in one line, without the device's name.
	Error  string `json:"error,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Lines and Diff are what a switch transaction pushed and the device's
	// own diff.
	Lines []string `json:"lines,omitempty"`
	Diff  string   `json:"diff,omitempty"`
	// Cleaned are leftovers of earlier runs (netalign's own configuration
	// sessions and checkpoints) the transaction removed.
	Cleaned []string `json:"cleaned,omitempty"`
}

// Apply executes p: switches and DHCP servers first (concurrently), then
// hosts, one transaction per device. Cancelling stop (SIGINT) starts no new
// transaction; in-flight ones finish or roll back within their own deadline,
// and devices not reached are reported so.
func (e *Engine) Apply(stop context.Context, p *plan.Plan) []Result {
	results := make([]Result, len(p.Devices))
	var phase1, phase2 []job
	var idx1, idx2 []int
	for i, d := range p.Devices {
		results[i] = Result{Device: d.Name, Kind: d.Kind, Changes: d.Changes()}
		switch {
		case d.Skipped != "":
			results[i].Status, results[i].Reason = StatusSkipped, d.Skipped
			results[i].Cause = cause.Code(d.Cause)
			continue
		case d.Changes() == 0:
			results[i].Status = StatusUnchanged
			continue
		}
		j := job{name: d.Name, kind: string(d.Kind), run: e.applyDevice(d, &results[i])}
		if d.Kind == plan.KindHost {
			phase2, idx2 = append(phase2, j), append(idx2, i)
		} else {
			phase1, idx1 = append(phase1, j), append(idx1, i)
		}
	}
	// In-flight transactions must not be cut by stop: they run under a
	// context that only their own deadline ends.
	for _, ph := range []struct {
		jobs []job
		idx  []int
		name string
	}{{phase1, idx1, "apply switches and DHCP"}, {phase2, idx2, "apply hosts"}} {
		if len(ph.jobs) == 0 {
			continue
		}
		errs := e.run(stop, ph.name, ph.jobs, true)
		for k, err := range errs {
			r := &results[ph.idx[k]]
			if err == nil {
				continue
			}
			r.Error, r.Cause = detail(err), cause.Of(err)
			var rb *switchdrivers.RollbackError
			var se *switchdrivers.SaveError
			switch {
			case errors.As(err, &se):
				r.Status = StatusUnsaved
			case errors.Is(err, errNotReached):
				r.Status = StatusNotReached
			case errors.As(err, &rb) && rb.RolledBack:
				r.Status = StatusRolledBack
			default:
				if r.Status == "" || r.Status == StatusApplied {
					r.Status = StatusFailed
				}
			}
		}
	}
	return results
}

// errNotReached marks devices a run never started because it was
// interrupted.
var errNotReached = errors.New("not reached: interrupted before this device started")

// notReached is the error of a device a run never started because ctx
// ended: INTERRUPTED, or TIMEOUT when the run's own deadline ended it.
func notReached(ctx context.Context) error {
	code := cause.Interrupted
	if errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		code = cause.Timeout
	}
	return cause.Wrap(code, fmt.Errorf("%w: %w", errNotReached, context.Cause(ctx)), "%s", errNotReached.Error())
}

func (e *Engine) applyDevice(d plan.Device, r *Result) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		switch d.Kind {
		case plan.KindSwitch:
			sw := e.inv.Switch(d.Name)
			if sw == nil {
				return deviceErr(d.Name, "apply", errors.New("not in the inventory"))
			}
			drv, err := e.switchDriver(ctx, *sw)
			if err != nil {
				return err
			}
			release, err := e.lockDevice(ctx, "switch "+sw.Address+portSuffix(sw.Port))
			if err != nil {
				return deviceErr(d.Name, "apply", err)
			}
			defer release()
			res, err := drv.Apply(ctx, d.Switch)
			if res != nil {
				r.Lines, r.Diff, r.Cleaned = res.Lines, res.Diff, res.Cleaned
			}
			if err != nil {
				e.dropSwitch(d.Name)
				return deviceErr(d.Name, "apply", err)
			}
			if c, ok := drv.(switchdrivers.Confirmer); ok {
				if p, at := c.Pending(); p {
					e.mu.Lock()
					e.pending[d.Name] = pendingCommit{c, at}
					e.mu.Unlock()
				}
			}
			r.Status = StatusApplied
			return nil
		case plan.KindDHCP:
			s := e.inv.DHCPServer(d.Name)
			if s == nil {
				return deviceErr(d.Name, "apply", errors.New("not in the inventory"))
			}
			srv, err := e.dhcpServer(ctx, *s)
			if err != nil {
				return err
			}
			release, err := e.lockDevice(ctx, "dhcp "+s.Kind+" "+s.Endpoint)
			if err != nil {
				return deviceErr(d.Name, "apply", err)
			}
			defer release()
			if err := srv.Apply(ctx, d.DHCP); err != nil {
				return deviceErr(d.Name, "apply", err)
			}
			r.Status = StatusApplied
			return nil
		case plan.KindHost:
			h := e.inv.Host(d.Name)
			if h == nil {
				return deviceErr(d.Name, "apply", errors.New("not in the inventory"))
			}
			if e.opts.Hosts == nil {
				return deviceErr(d.Name, "apply", cause.New(cause.NoDriver, "host networking is not available in this build"))
			}
			if err := e.opts.Hosts.Apply(ctx, *h, d.Host); err != nil {
				return deviceErr(d.Name, "apply", err)
			}
			r.Status = StatusApplied
			return nil
		}
		return deviceErr(d.Name, "apply", fmt.Errorf("unknown device kind %q", d.Kind))
	}
}

// HostDiffer returns the host planner, or nil without host support.
func (e *Engine) HostDiffer() plan.HostDiffer {
	if e.opts.Hosts == nil {
		return nil
	}
	return e.opts.Hosts.Diff
}

// SortResults orders results by kind phase then name.
func SortResults(rs []Result) {
	order := map[plan.DeviceKind]int{plan.KindSwitch: 0, plan.KindDHCP: 1, plan.KindHost: 2}
	sort.SliceStable(rs, func(i, j int) bool {
		if order[rs[i].Kind] != order[rs[j].Kind] {
			return order[rs[i].Kind] < order[rs[j].Kind]
		}
		return rs[i].Device < rs[j].Device
	})
}

// Plan computes the plan of desired against obs. A device that could not be
// observed is in the plan as skipped, with its cause: plan and apply show
// the same plan, and apply changes nothing on a device it could not see.
func (e *Engine) Plan(desired *intent.Desired, obs *Observation, opts plan.Options) (*plan.Plan, error) {
	opts.HostDiff = e.HostDiffer()
	p, err := plan.Compute(desired, obs.Observed, opts)
	if err != nil {
		return nil, err
	}
	for _, u := range obs.Unreachable {
		if d := p.Device(plan.DeviceKind(u.Kind), u.Device); d != nil {
			d.Skipped = "not observed: " + u.Err
			d.Cause = string(u.Cause)
		}
	}
	return p, nil
}

// Insecure lists the devices whose SSH host key or TLS certificate is not
// verified (insecure: true in the inventory, or Options.Insecure for
// switches), sorted, for reports: an operator must see it whatever the log
// level.
func (e *Engine) Insecure() []string {
	var out []string
	for _, sw := range e.inv.Switches {
		if sw.Insecure || e.opts.Insecure {
			out = append(out, sw.Name)
		}
	}
	for _, s := range e.inv.DHCPServers {
		if s.Insecure {
			out = append(out, s.Name)
		}
	}
	sort.Strings(out)
	return out
}

// Confirm makes permanent the commits that revert unless confirmed
// (switchdrivers.Confirmer), for the switches that were observed again
// after the apply (after): netalign still reaches them with the new
// configuration. A switch that could not be observed again is left to
// revert by itself and reported StatusReverting. It runs under ctx without
// its cancellation: an interrupt must not leave confirmed work unconfirmed.
func (e *Engine) Confirm(ctx context.Context, results []Result, after *Observation) {
	failedAfter := map[string]validate.Unreachable{}
	if after != nil {
		for _, u := range after.Unreachable {
			failedAfter[u.Kind+"/"+u.Device] = u
		}
	}
	var jobs []job
	var idx []int
	for i := range results {
		r := &results[i]
		if r.Kind != plan.KindSwitch || (r.Status != StatusApplied && r.Status != StatusUnsaved) {
			continue
		}
		e.mu.Lock()
		pc, ok := e.pending[r.Device]
		delete(e.pending, r.Device)
		e.mu.Unlock()
		if !ok {
			continue
		}
		c, at := pc.c, pc.at
		if u, bad := failedAfter[string(r.Kind)+"/"+r.Device]; bad || after == nil {
			r.Status, r.Cause = StatusReverting, u.Cause
			r.Error = fmt.Sprintf("not confirmed: the device could not be observed after the apply; it reverts by itself at %s", at.Format(time.RFC3339))
			continue
		}
		jobs = append(jobs, job{name: r.Device, kind: string(r.Kind), run: func(ctx context.Context) error {
			if err := c.Confirm(ctx); err != nil {
				return deviceErr(r.Device, "confirm", err)
			}
			return nil
		}})
		idx = append(idx, i)
	}
	if len(jobs) == 0 {
		return
	}
	errs := e.run(context.WithoutCancel(ctx), "confirm", jobs, true)
	for k, err := range errs {
		if err == nil {
			continue
		}
		r := &results[idx[k]]
		var se *switchdrivers.SaveError
		if errors.As(err, &se) {
			r.Status, r.Error, r.Cause = StatusUnsaved, detail(err), cause.Of(err)
			continue
		}
		r.Status, r.Error, r.Cause = StatusReverting, detail(err)+" (the commit reverts by itself)", cause.Of(err)
	}
}

// lockDevice takes Options.DeviceLock for key.
func (e *Engine) lockDevice(ctx context.Context, key string) (func(), error) {
	if e.opts.DeviceLock == nil {
		return func() {}, nil
	}
	return e.opts.DeviceLock(ctx, key)
}

func portSuffix(port int) string {
	if port == 0 {
		return ""
	}
	return ":" + strconv.Itoa(port)
}
