package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/netalign/netalign/internal/engine"
	"github.com/netalign/netalign/internal/termsafe"
)

// errInterrupted is the cause of a run's context after a signal.
var errInterrupted = errors.New("interrupted")

// interruptSignals end a run: Ctrl-C, a service manager's stop, and the
// operator's terminal going away (SIGHUP), which must not kill an apply
// between a change and its rollback.
var interruptSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// handleSignals returns a context that the first interrupt signal cancels.
// The first signal also says at once what the run is waiting for; a second
// one abandons the run: it names the devices that may be left
// mid-transaction and exits with 130.
func (a *app) handleSignals(parent context.Context) (context.Context, func()) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, interruptSignals...)
	ctx, cancel := context.WithCancelCause(parent)
	done := make(chan struct{})
	go func() {
		var sig os.Signal
		select {
		case sig = <-sigs:
		case <-done:
			return
		}
		cancel(fmt.Errorf("%w by %s", errInterrupted, signalName(sig)))
		fmt.Fprintln(a.stderr, a.interruptNotice(sig, time.Now()))
		select {
		case sig = <-sigs:
		case <-done:
			return
		}
		fmt.Fprintln(a.stderr, a.abandonNotice(sig))
		a.exit(130)
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}

func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return sig.String()
}

// inFlight is what the run's engine is doing now, nil before it has one.
func (a *app) inFlight() []engine.Flight {
	a.mu.Lock()
	eng := a.eng
	a.mu.Unlock()
	if eng == nil {
		return nil
	}
	return eng.InFlight()
}

// interruptNotice is the line printed at the first signal.
func (a *app) interruptNotice(sig os.Signal, now time.Time) string {
	var tx []engine.Flight
	for _, f := range a.inFlight() {
		if strings.HasPrefix(f.Phase, "apply") {
			tx = append(tx, f)
		}
	}
	if len(tx) == 0 {
		return fmt.Sprintf("netalign: interrupted (%s): starting nothing new and stopping; press Ctrl-C again to exit at once", signalName(sig))
	}
	var last time.Time
	for _, f := range tx {
		if f.Deadline.After(last) {
			last = f.Deadline
		}
	}
	wait := max(last.Sub(now), 0).Round(time.Second)
	return fmt.Sprintf("netalign: interrupted (%s): waiting for %d transaction(s) in flight to finish or roll back, at most %s; Ctrl-C again to abandon them",
		signalName(sig), len(tx), wait)
}

// abandonNotice is the line printed at the second signal, before exiting.
func (a *app) abandonNotice(sig os.Signal) string {
	var names []string
	for _, f := range a.inFlight() {
		if strings.HasPrefix(f.Phase, "apply") {
			names = append(names, f.Device)
		}
	}
	if len(names) == 0 {
		return fmt.Sprintf("netalign: abandoned (%s)", signalName(sig))
	}
	// What a device does with an abandoned transaction is its own: a
	// configuration session never committed is discarded, a timed commit
	// reverts, a host's rollback watchdog restores it; a platform without
	// either (NX-OS releases without sessions) can be left mid-way.
	return fmt.Sprintf("netalign: abandoned (%s) in the middle of transactions on %s: uncommitted sessions are discarded, timed commits revert and hosts are restored by their watchdog, but check them with `netalign validate`",
		signalName(sig), strings.Join(names, ", "))
}

// errInterruptedRun is the final error of a run a signal cut short.
func errInterruptedRun(ctx context.Context) error {
	return fmt.Errorf("%w: devices not reached were left untouched", context.Cause(ctx))
}

// insecureWarning says, whatever the log level, which devices were not
// verified.
func (a *app) insecureWarning(devices []string) {
	if len(devices) > 0 {
		fmt.Fprintf(a.stderr, "netalign: WARNING: host key / certificate verification was disabled for: %s\n", termsafe.Line(strings.Join(devices, ", ")))
	}
}
