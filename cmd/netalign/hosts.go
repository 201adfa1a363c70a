package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/netalign/netalign/hostnet"
	"github.com/netalign/netalign/hostnet/remote"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
	"github.com/netalign/netalign/switchdrivers"
)

// hosts connects the engine to hostnet: netlink for access "local",
// read-only SSH observation for access "ssh".
type hosts struct {
	log       *slog.Logger
	allowMgmt bool
	// rollbackTimeout is the connectivity check timeout when the host sets
	// none (inventory settings.rollbackTimeout).
	rollbackTimeout time.Duration
}

func (h *hosts) Observe(ctx context.Context, host inventory.Host) (*intent.HostState, error) {
	switch access(host) {
	case "local":
		x, err := hostnet.Open(hostnet.Options{Name: host.Name, Logger: h.log.With("device", host.Name)})
		if err != nil {
			return nil, err
		}
		defer x.Close()
		return x.Observe(ctx)
	case "ssh":
		cfg, err := remote.ConfigFromInventory(host)
		if err != nil {
			return nil, err
		}
		return remote.Observe(ctx, cfg)
	}
	return nil, fmt.Errorf("host %s: access %q cannot be observed", host.Name, host.Access)
}

func (h *hosts) Apply(ctx context.Context, host inventory.Host, changes []intent.HostChange) error {
	if access(host) != "local" {
		return fmt.Errorf("host %s: remote hosts are observed read-only; run netalign on the host itself (access: local) to apply", host.Name)
	}
	x, err := hostnet.Open(hostnet.Options{Name: host.Name, Logger: h.log.With("device", host.Name)})
	if err != nil {
		return err
	}
	defer x.Close()
	opts := hostnet.ApplyOptions{AllowMgmt: h.allowMgmt, CheckTimeout: h.rollbackTimeout}
	// The host must be restored even when netalign is killed mid-apply.
	if opts.Watchdog, err = hostWatchdog(); err != nil {
		return err
	}
	if opts.HoldAfterWrite, opts.HoldFor, err = testHold(); err != nil {
		return err
	}
	if c := host.Connectivity; c != nil {
		opts.CheckTarget = c.Target
		if c.Timeout > 0 {
			opts.CheckTimeout = c.Timeout
		}
	}
	res, err := x.Apply(ctx, changes, opts)
	// Say whether the changes were guarded: a host without a check target
	// and without a default gateway is changed with no rollback net.
	switch {
	case res == nil:
	case res.CheckSkipped != "":
		h.log.Warn("connectivity check skipped: the changes are not guarded by a rollback", "host", host.Name, "reason", res.CheckSkipped)
	case err == nil && res.CheckTarget != "" && res.Writes > 0:
		h.log.Info("connectivity check passed", "host", host.Name, "target", res.CheckTarget, "took", res.CheckTook.Round(time.Millisecond))
	}
	if res != nil && res.RolledBack {
		h.log.Warn("host restored to its checkpoint", "host", host.Name, "by", res.RollbackBy, "writes", res.RollbackWrites)
	}
	if res != nil && res.RolledBack {
		rb := &switchdrivers.RollbackError{Device: host.Name, Err: err, RolledBack: res.RollbackErr == ""}
		if res.RollbackErr != "" {
			rb.RollbackErr = errors.New(res.RollbackErr)
		}
		if rb.Err == nil {
			rb.Err = hostnet.ErrConnectivityLost
		}
		return rb
	}
	return err
}

func (h *hosts) Diff(desired intent.DesiredHost, observed intent.HostState) []intent.HostChange {
	return hostnet.Diff(desired, observed)
}

func access(h inventory.Host) string {
	if h.Access != "" {
		return h.Access
	}
	if h.SSH != nil && h.Address != "" {
		return "ssh"
	}
	return "none"
}
