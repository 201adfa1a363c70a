// Command netalign-bench runs netalign's benchmarks against the simulated
// lab: `fleet` (make bench), `peer` (make bench-peer, netalign against
// Ansible arista.eos), and `lab` (start a benchmark fleet and wait, to
// explore by hand).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/netalign/netalign/bench"
	"github.com/netalign/netalign/internal/lab"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: netalign-bench fleet|peer|profile|lab [flags]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	var err error
	switch os.Args[1] {
	case "fleet":
		err = runFleet(ctx, log, os.Args[2:])
	case "peer":
		err = runPeer(ctx, log, os.Args[2:])
	case "profile":
		err = runProfile(ctx, log, os.Args[2:])
	case "lab":
		err = runLab(ctx, log, os.Args[2:])
	default:
		err = fmt.Errorf("unknown benchmark %q (fleet, peer, profile, lab)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "netalign-bench:", err)
		os.Exit(1)
	}
}

func runLab(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("lab", flag.ExitOnError)
	kind := fs.String("kind", "peer", "fleet or peer inventory")
	n := fs.Int("n", 2, "switches")
	ports := fs.Int("ports", 48, "host ports per switch (fleet)")
	latency := fs.Duration("latency", 0, "latency per round trip")
	dir := fs.String("dir", "/tmp/netalign-bench-lab", "lab directory")
	fs.Parse(args)
	inv := bench.PeerInventory(*n)
	p := bench.PeerPorts
	if *kind == "fleet" {
		inv, p = lab.FleetInventory(*n, *ports), *ports
	}
	l, err := bench.StartLab(ctx, inv, *dir, p, *latency, log)
	if err != nil {
		return err
	}
	defer l.Close()
	fmt.Println("lab inventory:", l.InventoryPath())
	if *kind == "peer" {
		pb := filepath.Join(*dir, "ansible")
		if err := bench.Playbook(pb, inv, bench.Endpoints(l), lab.DefaultUsernameEnv, lab.DefaultPasswordEnv); err != nil {
			return err
		}
		fmt.Println("playbook:", pb)
	}
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			for _, c := range l.Counters() {
				fmt.Printf("%s commands=%d roundtrips=%d logins=%d\n", c.Switch, c.Commands, c.RoundTrips, c.Logins)
			}
			return nil
		case <-t.C:
		}
	}
}
