package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/netalign/netalign/hostnet"
)

// newHostCmd is the hidden `host` command: `host rollback-watchdog` is the
// process that a host apply (access: local) starts before its first netlink
// write, so that the host is restored even when netalign is killed
// (hostnet.Watchdog). Operators run it only to restore a checkpoint that a
// killed run left behind (`--now`), as apply's error says.
func newHostCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "host", Short: "Host checkpoints (internal)", Hidden: true}
	var (
		checkpoint          string
		controlFD, statusFD int
		now                 bool
	)
	wd := &cobra.Command{
		Use:   "rollback-watchdog",
		Short: "Restore a host checkpoint unless the apply that wrote it disarms the watchdog",
		Long: `rollback-watchdog is started by apply (access: local) in its own session before the
first netlink write. It restores the checkpoint file when netalign dies or asks for it,
at the checkpoint's deadline, or at SIGTERM, and exits without touching the host when
apply disarms it after the connectivity check or when the file is removed.
--now restores a checkpoint left by a killed run at once.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := hostnet.WatchdogConfig{Checkpoint: checkpoint, Now: now, Logger: a.log.With("component", "rollback-watchdog", "pid", os.Getpid())}
			if !now {
				if controlFD < 3 || statusFD < 3 {
					return exitWith(2, fmt.Errorf("rollback-watchdog: --control-fd and --status-fd are set by apply; pass --now to restore a checkpoint by hand"))
				}
				cfg.Control = os.NewFile(uintptr(controlFD), "control")
				cfg.Status = os.NewFile(uintptr(statusFD), "status")
			}
			if err := hostnet.RunWatchdog(cmd.Context(), cfg); err != nil {
				return exitWith(1, err)
			}
			return nil
		},
	}
	f := wd.Flags()
	f.StringVar(&checkpoint, "checkpoint", "", "checkpoint file written by apply")
	f.IntVar(&controlFD, "control-fd", -1, "pipe from apply (set by apply)")
	f.IntVar(&statusFD, "status-fd", -1, "pipe to apply (set by apply)")
	f.BoolVar(&now, "now", false, "restore the checkpoint at once")
	_ = wd.MarkFlagRequired("checkpoint")
	cmd.AddCommand(wd)
	return cmd
}

// hostWatchdog is the rollback watchdog of a host apply: this binary's
// hidden command, with its log on stderr (a file descriptor it keeps when
// netalign is gone).
func hostWatchdog() (*hostnet.Watchdog, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("rollback watchdog: find the netalign binary: %w", err)
	}
	return &hostnet.Watchdog{Command: []string{exe, "host", "rollback-watchdog"}, Stderr: os.Stderr}, nil
}

// testHoldEnv is a test hook, documented in e2e/realkernel/README.md: a host
// apply pauses after its Nth netlink write ("N:DURATION") so that the
// real-kernel tests can kill or signal netalign mid-transaction.
const testHoldEnv = "NETALIGN_TEST_HOLD_AFTER_WRITE"

// testHold parses testHoldEnv.
func testHold() (int, time.Duration, error) {
	v := os.Getenv(testHoldEnv)
	if v == "" {
		return 0, 0, nil
	}
	n, d, ok := strings.Cut(v, ":")
	write, err := strconv.Atoi(n)
	if err != nil || !ok || write < 1 {
		return 0, 0, fmt.Errorf("%s=%q: want N:DURATION, N >= 1", testHoldEnv, v)
	}
	hold, err := time.ParseDuration(d)
	if err != nil {
		return 0, 0, fmt.Errorf("%s=%q: %w", testHoldEnv, v, err)
	}
	return write, hold, nil
}
