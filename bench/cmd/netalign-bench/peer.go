package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/netalign/netalign/bench"
)

func runPeer(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("peer", flag.ExitOnError)
	bin := fs.String("netalign", "bin/netalign", "netalign binary under test")
	ns := fs.String("n", "1,20,100", "switch counts")
	lats := fs.String("latency", "0s,20ms", "latencies per round trip")
	par := fs.Int("parallelism", 16, "netalign --parallelism and ansible-playbook --forks")
	out := outputFlags(fs, "peer")
	fs.Parse(args)
	counts, err := bench.ParseInts(*ns)
	if err != nil {
		return err
	}
	var latencies []time.Duration
	for _, s := range splitComma(*lats) {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("-latency: %w", err)
		}
		latencies = append(latencies, d)
	}
	ap, err := bench.AnsiblePath()
	if err != nil {
		return err
	}
	if err := bench.Subreaper(); err != nil {
		return err
	}
	rep := &bench.PeerReport{Command: "netalign-bench peer " + joinArgs(args), Started: time.Now().UTC(), Machine: bench.Machine(), Version: bench.AnsibleVersion(ctx, ap)}
	for _, n := range counts {
		for _, lat := range latencies {
			r, err := bench.Peer(ctx, bench.PeerConfig{Netalign: *bin, AnsiblePlaybook: ap, N: n, Latency: lat, Parallelism: *par, Dir: *out.dir, Log: log})
			if err != nil {
				log.Error("peer run failed", "n", n, "latency", lat, "error", err)
				rep.Failed = append(rep.Failed, fmt.Sprintf("N=%d latency %s: %v", n, lat, err))
				continue
			}
			rep.Runs = append(rep.Runs, r)
		}
	}
	if err := out.write(rep.Markdown()); err != nil {
		return err
	}
	for _, r := range rep.Runs {
		if !r.Identical {
			return fmt.Errorf("N=%d latency %s: final switch state differs between the tools", r.N, r.Latency)
		}
	}
	if len(rep.Failed) > 0 {
		return fmt.Errorf("%d runs failed", len(rep.Failed))
	}
	return nil
}
