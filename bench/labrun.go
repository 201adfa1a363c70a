package bench

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/netalign/netalign/internal/lab"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/inventory"
)

// StartLab starts the simulated switches of inv in this process, every
// switch with the given per-round-trip latency, and writes the lab
// inventory, known_hosts and lab.env into dir.
func StartLab(ctx context.Context, inv *inventory.Inventory, dir string, ports int, latency time.Duration, log *slog.Logger) (*lab.Lab, error) {
	faults := map[string]device.Faults{}
	if latency > 0 {
		for _, sw := range inv.Switches {
			faults[sw.Name] = device.Faults{Latency: latency}
		}
	}
	l, err := lab.Start(ctx, inv, lab.Options{Dir: dir, Ports: ports, Faults: faults, Logger: log,
		Username: lab.DefaultUsername, Password: lab.DefaultPassword})
	if err != nil {
		return nil, fmt.Errorf("bench: start lab: %w", err)
	}
	return l, nil
}

// LabEnv is the environment netalign needs to log in to the lab.
func LabEnv() []string {
	return []string{lab.DefaultUsernameEnv + "=" + lab.DefaultUsername, lab.DefaultPasswordEnv + "=" + lab.DefaultPassword,
		"NETALIGN_REQUIRE_PREREQS="}
}

// counterMap indexes lab counters by switch.
func counterMap(l *lab.Lab) map[string]lab.Counters {
	m := map[string]lab.Counters{}
	for _, c := range l.Counters() {
		m[c.Switch] = c
	}
	return m
}

// PerSwitch is the lab's count of what one tool cost the switches during
// one step: the mean and the maximum over switches.
type PerSwitch struct {
	Commands, RoundTrips, Logins       float64
	MaxCommands, MaxRoundTrips, MaxLog int64
}

// delta returns the per-switch cost between two counter snapshots.
func delta(before, after map[string]lab.Counters) PerSwitch {
	var p PerSwitch
	if len(after) == 0 {
		return p
	}
	for name, a := range after {
		b := before[name]
		c, r, lg := a.Commands-b.Commands, a.RoundTrips-b.RoundTrips, a.Logins-b.Logins
		p.Commands += float64(c)
		p.RoundTrips += float64(r)
		p.Logins += float64(lg)
		p.MaxCommands = max(p.MaxCommands, c)
		p.MaxRoundTrips = max(p.MaxRoundTrips, r)
		p.MaxLog = max(p.MaxLog, lg)
	}
	n := float64(len(after))
	p.Commands /= n
	p.RoundTrips /= n
	p.Logins /= n
	return p
}

// Endpoints returns where each switch of l listens.
func Endpoints(l *lab.Lab) map[string]Endpoint {
	m := map[string]Endpoint{}
	for _, s := range l.Switches() {
		m[s.Name] = Endpoint{Host: s.Host, Port: s.Port}
	}
	return m
}
