package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/netalign/netalign/bench"
)

func runFleet(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("fleet", flag.ExitOnError)
	bin := fs.String("netalign", "bin/netalign", "netalign binary under test")
	ns := fs.String("n", "100,500,1000", "switch counts")
	ports := fs.Int("ports", 48, "host ports per switch")
	sweep := fs.String("sweep-ports", "8,24,48", "port counts of the round-trip sweep (empty: none)")
	sweepN := fs.Int("sweep-n", 16, "switches in the round-trip sweep")
	latency := fs.Duration("latency", 20*time.Millisecond, "latency per round trip")
	par := fs.Int("parallelism", 16, "netalign --parallelism")
	out := outputFlags(fs, "fleet")
	fs.Parse(args)
	counts, err := bench.ParseInts(*ns)
	if err != nil {
		return err
	}
	sweepPorts, err := bench.ParseInts(*sweep)
	if err != nil {
		return err
	}
	rep := &bench.FleetReport{Command: "netalign-bench fleet " + joinArgs(args), Started: time.Now().UTC(), Machine: bench.Machine()}
	for _, p := range sweepPorts {
		r, err := bench.Fleet(ctx, bench.FleetConfig{Netalign: *bin, N: *sweepN, Ports: p, Latency: *latency, Parallelism: *par, Dir: *out.dir, Log: log})
		if err != nil {
			return err
		}
		rep.Sweep = append(rep.Sweep, r)
	}
	for _, n := range counts {
		r, err := bench.Fleet(ctx, bench.FleetConfig{Netalign: *bin, N: n, Ports: *ports, Latency: *latency, Parallelism: *par, Dir: *out.dir, Log: log})
		if err != nil {
			// A size the machine cannot carry is reported, not hidden.
			log.Error("fleet run failed", "n", n, "error", err)
			rep.Failed = append(rep.Failed, fmt.Sprintf("N=%d: %v", n, err))
			continue
		}
		rep.Runs = append(rep.Runs, r)
	}
	return out.write(rep.Markdown())
}
