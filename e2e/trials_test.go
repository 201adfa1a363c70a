package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/netalign/netalign/internal/lab"
	"github.com/netalign/netalign/internal/lab/device"
)

// trialRollback is settings.rollbackTimeout in the trials: EOS commits with
// a timer this long, so a commit a killed run never confirmed reverts
// within a trial.
const trialRollback = 3 * time.Second

// TestKillTrials interrupts apply at random points, seeded, with SIGKILL,
// SIGHUP and SIGINT, with and without latency, on a lab of an EOS, an
// NX-OS and an OpenConfig switch; then applies again. Every switch must be
// untouched or fully converged after the interrupted run (a commit waiting
// for its timer counts as converged: it reverts by itself), and after the
// second apply the network validates clean with no configuration session,
// checkpoint or orphan LAG of netalign left.
func TestKillTrials(t *testing.T) {
	if testing.Short() {
		t.Skip("kill trials take minutes")
	}
	const perCell = 9
	signals := []syscall.Signal{syscall.SIGKILL, syscall.SIGHUP, syscall.SIGINT}
	latencies := []time.Duration{0, 30 * time.Millisecond}
	rng := rand.New(rand.NewPCG(2026, 12))
	type cell struct {
		sig     syscall.Signal
		latency time.Duration
	}
	outcomes := map[cell]map[string]int{}
	trials := 0
	for _, latency := range latencies {
		full := applyDuration(t, latency)
		t.Logf("latency %s: an uninterrupted apply takes %s", latency, full.Round(time.Millisecond))
		for _, sig := range signals {
			c := cell{sig, latency}
			outcomes[c] = map[string]int{}
			for range perCell {
				delay := time.Duration(rng.Int64N(int64(full)))
				trials++
				name := fmt.Sprintf("%s/%s/%s", sig, latency, delay.Round(time.Millisecond))
				for state, n := range killTrial(t, name, latency, sig, delay) {
					outcomes[c][state] += n
				}
			}
		}
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SIGNAL\tLATENCY\tSWITCH STATES AFTER THE INTERRUPTED RUN")
	for _, latency := range latencies {
		for _, sig := range signals {
			o := outcomes[cell{sig, latency}]
			var parts []string
			for k, n := range o {
				parts = append(parts, fmt.Sprintf("%s %d", k, n))
			}
			sort.Strings(parts)
			fmt.Fprintf(tw, "%s\t%s\t%s\n", sig, latency, strings.Join(parts, ", "))
		}
	}
	tw.Flush()
	t.Logf("%d trials (%d switch outcomes each: EOS, NX-OS, OpenConfig)\n%s", trials, 3, b.String())
	if trials < 50 {
		t.Fatalf("%d trials, want at least 50", trials)
	}
}

// applyDuration measures one uninterrupted apply from blank at latency.
func applyDuration(t *testing.T, latency time.Duration) time.Duration {
	t.Helper()
	l, file := trialLab(t, latency)
	start := time.Now()
	if r := netalign(t, nil, "apply", "-i", file, "--yes"); r.code != 0 {
		t.Fatalf("calibration apply: %s", r)
	}
	_ = l
	return time.Since(start)
}

func trialLab(t *testing.T, latency time.Duration) (*lab.Lab, string) {
	t.Helper()
	faults := map[string]device.Faults{}
	for _, n := range []string{"leaf1", "leaf2", "oob-sw"} {
		faults[n] = device.Faults{Latency: latency}
	}
	l := startLab(t, filepath.Join("..", "configs", "lab.yaml"), lab.Options{Faults: faults})
	inv := *l.Inventory()
	inv.Settings.RollbackTimeout = trialRollback
	return l, writeInventory(t, &inv)
}

// killTrial runs one trial and returns how many switches were found in
// which state after the interrupted run.
func killTrial(t *testing.T, name string, latency time.Duration, sig syscall.Signal, delay time.Duration) map[string]int {
	states := map[string]int{}
	t.Run(name, func(t *testing.T) {
		l, file := trialLab(t, latency)
		switches := []string{"leaf1", "leaf2", "oob-sw"}
		blank := map[string]device.Config{}
		for _, n := range switches {
			blank[n] = l.Device(n).Running()
		}
		cmd := exec.Command(binary, "apply", "-i", file, "--yes", "--log-level", "error")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		_ = cmd.Process.Signal(sig)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(2 * time.Minute):
			cmd.Process.Kill()
			t.Fatalf("apply did not end after %s\n%s", sig, out.String())
		}

		// Each switch: untouched, or converged (validate finds nothing on
		// it), or waiting for its commit timer (its observation is
		// refused as a concurrent change until it reverts).
		r := netalign(t, nil, "validate", "-i", file, "-o", "json")
		var rep struct {
			Findings    []struct{ Code, Device, Object, Message string }
			Unreachable []struct{ Device, Cause, Message string }
		}
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("validate: %v\n%s", err, r)
		}
		for _, n := range switches {
			now := l.Device(n).Running()
			b := blank[n]
			state := ""
			pending := false
			for _, u := range rep.Unreachable {
				if u.Device == n && u.Cause == "CONCURRENT_CHANGE" {
					pending = true
				}
			}
			var findings []string
			for _, f := range rep.Findings {
				if f.Device == n {
					findings = append(findings, f.Code+" "+f.Object)
				}
			}
			switch {
			case now.Equal(&b):
				state = "untouched"
			case pending:
				state = "committed, reverting by itself"
			case len(findings) == 0:
				state = "converged"
			default:
				t.Errorf("%s is half-configured after %s at %s: %v\n%s", n, sig, delay, findings, out.String())
				state = "HALF-CONFIGURED"
			}
			states[state]++
		}

		// The second apply converges everything; a commit still waiting
		// for its timer is waited out.
		deadline := time.Now().Add(trialRollback + 30*time.Second)
		for {
			r = netalign(t, nil, "apply", "-i", file, "--yes", "--log-level", "error")
			if r.code == 0 {
				break
			}
			if !strings.Contains(r.stdout+r.stderr, "CONCURRENT_CHANGE") || time.Now().After(deadline) {
				t.Fatalf("second apply after %s at %s: %s", sig, delay, r)
			}
			time.Sleep(500 * time.Millisecond)
		}
		if r := netalign(t, nil, "validate", "-i", file); r.code != 0 {
			t.Errorf("validate after the second apply: %s", r)
		}
		for _, n := range switches {
			for _, left := range l.Leftovers(n) {
				if strings.Contains(left, "netalign-") {
					t.Errorf("%s keeps %s after the second apply", n, left)
				}
			}
		}
	})
	return states
}
