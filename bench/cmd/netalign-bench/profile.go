package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/netalign/netalign/bench"
	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/internal/engine"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab"
	"github.com/netalign/netalign/inventory"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/all"
)

// runProfile observes a fleet with the engine in this process under the
// CPU profiler: where netalign's CPU goes during observation (the lab's
// share shows under internal/lab in the same profile).
func runProfile(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("profile", flag.ExitOnError)
	n := fs.Int("n", 100, "switches")
	ports := fs.Int("ports", 48, "host ports per switch")
	latency := fs.Duration("latency", 20*time.Millisecond, "latency per round trip")
	par := fs.Int("parallelism", 16, "engine parallelism")
	out := fs.String("o", "observe.pprof", "CPU profile file")
	dir := fs.String("dir", os.TempDir()+"/netalign-bench", "lab directories")
	fs.Parse(args)
	l, err := bench.StartLab(ctx, lab.FleetInventory(*n, *ports), fmt.Sprintf("%s/profile-%d", *dir, *n), *ports, *latency, log)
	if err != nil {
		return err
	}
	defer l.Close()
	for _, kv := range bench.LabEnv() {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	inv, err := inventory.Load(l.InventoryPath(), intent.InventoryOptions())
	if err != nil {
		return err
	}
	sw := switchdrivers.NewRegistry()
	if err := all.Register(sw); err != nil {
		return err
	}
	eng := engine.New(inv, engine.Options{Switches: sw, DHCP: dhcp.NewRegistry(), Log: log, Parallelism: *par, Timeout: 5 * time.Minute})
	defer eng.Close()
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	start := time.Now()
	obs := eng.Observe(ctx)
	pprof.StopCPUProfile()
	fmt.Printf("observed %d switches in %v, %d unreachable; profile in %s\n", len(obs.Observed.Switches), time.Since(start), len(obs.Unreachable), *out)
	return nil
}
