package hostnet

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The watchdog protocol. Apply starts the watchdog with two pipes:
//
//	control (fd 3, Apply → watchdog): "disarm" or "restore", one line; the
//	    pipe closing without either means Apply's process is gone.
//	status (fd 4, watchdog → Apply): "ready" once it holds the checkpoint,
//	    then one of "disarmed", "cancelled" (the file was removed by hand)
//	    or "restored <json watchdogResult>", then EOF when it exits.
//
// Only the watchdog renames or removes the checkpoint file while it runs,
// so the deadline and Apply's last word never both act: the first to reach
// the file decides.
const (
	watchdogControlFD = 3
	watchdogStatusFD  = 4
	// watchdogReadyWait bounds the watchdog's start: it reads the
	// checkpoint and opens netlink.
	watchdogReadyWait = 15 * time.Second
	// watchdogRestoreWait bounds one restore in the watchdog.
	watchdogRestoreWait = time.Minute
	// systemdBooted is sd_booted(3)'s test: systemd is the init system.
	systemdBooted = "/run/systemd/system"
)

// watchdogResult is what the watchdog reports after a restore.
type watchdogResult struct {
	// Reason is what made it restore: "netalign-gone", "requested",
	// "deadline", "SIGTERM" or "now".
	Reason string `json:"reason"`
	Writes int    `json:"writes"`
	Error  string `json:"error,omitempty"`
}

// watchdogRun is an armed watchdog as the Apply that armed it sees it.
type watchdogRun struct {
	path  string
	held  *os.File // the checkpoint file, flock shared while armed
	cmd   *exec.Cmd
	ctrl  *os.File
	lines <-chan string
	log   *slog.Logger
	// result is the watchdog's last word once read.
	result string
	ended  bool
}

// armWatchdog writes the checkpoint and starts the watchdog, in its own
// systemd scope where systemd runs (falling back to a plain new session
// when that does not start), and returns once it holds the checkpoint.
func (x *Host) armWatchdog(w *Watchdog, cf *checkpointFile) (*watchdogRun, error) {
	if len(w.Command) == 0 || !filepath.IsAbs(w.Command[0]) {
		return nil, fmt.Errorf("watchdog command %q: want an absolute program path", w.Command)
	}
	path, held, err := writeCheckpoint(watchdogDir(w), cf)
	if err != nil {
		return nil, err
	}
	args := append(append([]string{}, w.Command...), "--checkpoint", path,
		"--control-fd", strconv.Itoa(watchdogControlFD), "--status-fd", strconv.Itoa(watchdogStatusFD))
	var tries [][]string
	if !w.NoSystemd {
		if run, ok := systemdRun(); ok {
			unit := "netalign-rollback-" + strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), checkpointPrefix), ".json")
			tries = append(tries, append([]string{run, "--scope", "--quiet", "--collect", "--unit=" + unit,
				"--description=netalign host rollback watchdog", "--"}, args...))
		}
	}
	tries = append(tries, args)
	var errs []error
	for i, argv := range tries {
		run, err := startWatchdog(argv, w.Stderr)
		if err == nil {
			run.path, run.held, run.log = path, held, x.log
			x.log.Info("rollback watchdog armed", "pid", run.cmd.Process.Pid, "checkpoint", path,
				"deadline", cf.Deadline.Format(time.RFC3339), "systemd-scope", i == 0 && len(tries) == 2)
			return run, nil
		}
		errs = append(errs, err)
		if i < len(tries)-1 {
			x.log.Warn("rollback watchdog did not start in its own systemd scope; starting it in a new session only", "err", err)
		}
	}
	held.Close()
	os.Remove(path)
	return nil, fmt.Errorf("start rollback watchdog: %w", errors.Join(errs...))
}

func watchdogDir(w *Watchdog) string {
	if w.Dir != "" {
		return w.Dir
	}
	return DefaultWatchdogDir
}

// systemdRun returns systemd-run's path when systemd is the init system.
func systemdRun() (string, bool) {
	if _, err := os.Stat(systemdBooted); err != nil {
		return "", false
	}
	p, err := exec.LookPath("systemd-run")
	return p, err == nil
}

// startWatchdog starts argv in a new session with the two pipes and waits
// for its "ready".
func startWatchdog(argv []string, stderr *os.File) (*watchdogRun, error) {
	ctrlR, ctrlW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	statR, statW, err := os.Pipe()
	if err != nil {
		ctrlR.Close()
		ctrlW.Close()
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.ExtraFiles = []*os.File{ctrlR, statW} // fds 3 and 4
	if stderr != nil {
		cmd.Stderr = stderr
	}
	// A new session: no controlling terminal (no SIGHUP when the
	// operator's session ends) and its own process group (a kill of
	// netalign's group spares it). No Pdeathsig: it must outlive us.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	ctrlR.Close()
	statW.Close()
	if err != nil {
		ctrlW.Close()
		statR.Close()
		return nil, err
	}
	lines := make(chan string, 4)
	go func() {
		defer close(lines)
		defer statR.Close()
		sc := bufio.NewScanner(statR)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	run := &watchdogRun{cmd: cmd, ctrl: ctrlW, lines: lines}
	t := time.NewTimer(watchdogReadyWait)
	defer t.Stop()
	select {
	case l, ok := <-lines:
		if ok && l == "ready" {
			return run, nil
		}
		ctrlW.Close()
		werr := cmd.Wait()
		if ok {
			return nil, fmt.Errorf("%s: said %q instead of ready", argv[0], l)
		}
		return nil, fmt.Errorf("%s exited before it was ready: %v", argv[0], werr)
	case <-t.C:
		cmd.Process.Kill()
		ctrlW.Close()
		cmd.Wait()
		return nil, fmt.Errorf("%s: not ready after %v", argv[0], watchdogReadyWait)
	}
}

// fired reports ErrWatchdogFired once the watchdog has claimed the
// checkpoint (its deadline passed): Apply must not write any more.
func (w *watchdogRun) fired() error {
	if _, err := os.Lstat(w.path); errors.Is(err, os.ErrNotExist) {
		return ErrWatchdogFired
	}
	return nil
}

// say sends one command and returns the watchdog's answer ("" when it
// ended without one, or did not answer within wait).
func (w *watchdogRun) say(cmd string, wait time.Duration) string {
	if w.result != "" || w.ended {
		return w.result
	}
	if _, err := io.WriteString(w.ctrl, cmd+"\n"); err != nil {
		w.log.Debug("rollback watchdog control pipe", "err", err)
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case l, ok := <-w.lines:
			if !ok {
				w.ended = true
				return ""
			}
			if l == "disarmed" || l == "cancelled" || strings.HasPrefix(l, "restored ") {
				w.result = l
				return l
			}
		case <-t.C:
			w.log.Warn("rollback watchdog did not answer", "command", cmd, "waited", wait)
			return ""
		}
	}
}

// disarm tells the watchdog that the changes stand. It returns the
// watchdog's restore when the deadline beat it (ErrWatchdogFired).
func (w *watchdogRun) disarm() (*watchdogResult, error) {
	defer w.close()
	ans := w.say("disarm", 10*time.Second)
	if r, ok := parseRestored(ans); ok {
		return r, ErrWatchdogFired
	}
	if ans != "disarmed" {
		w.log.Warn("rollback watchdog gone before it was disarmed; removing its checkpoint", "checkpoint", w.path, "answer", ans)
	}
	return nil, nil
}

// restore has the watchdog restore the checkpoint and returns its report;
// false when it did not (it is gone, or the checkpoint was removed by
// hand): then the caller restores in its own process.
func (w *watchdogRun) restore() (*watchdogResult, bool) {
	ans := w.say("restore", watchdogRestoreWait+10*time.Second)
	r, ok := parseRestored(ans)
	if !ok {
		w.log.Warn("rollback watchdog did not restore the checkpoint; netalign restores it", "answer", ans)
	}
	return r, ok
}

func parseRestored(ans string) (*watchdogResult, bool) {
	rest, ok := strings.CutPrefix(ans, "restored ")
	if !ok {
		return nil, false
	}
	var r watchdogResult
	if err := json.Unmarshal([]byte(rest), &r); err != nil {
		return &watchdogResult{Error: "unreadable watchdog report: " + err.Error()}, true
	}
	return &r, true
}

// close ends our side: the watchdog, told or not, exits now (a closed
// control pipe after "disarm"/"restore" is no longer news), and a
// checkpoint file it left in place while armed is removed.
func (w *watchdogRun) close() {
	if w.cmd == nil {
		return
	}
	if w.result == "" && !w.ended {
		// Nothing said: make the watchdog stand down before the pipe
		// closes (a bare close would mean that we died).
		w.say("disarm", 10*time.Second)
	}
	w.ctrl.Close()
	done := make(chan error, 1)
	go func() { done <- w.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			w.log.Warn("rollback watchdog", "err", err)
		}
	case <-time.After(10 * time.Second):
		w.log.Warn("rollback watchdog did not exit; killing it", "pid", w.cmd.Process.Pid)
		w.cmd.Process.Kill()
		<-done
	}
	if w.result == "" {
		// It died (armed or mid-restore) or we killed it, and this
		// process disarmed or restored in its place: its files are ours
		// to remove.
		os.Remove(w.path)
		os.Remove(w.path + ".restoring")
	}
	w.held.Close()
	w.cmd = nil
}

// WatchdogConfig is what RunWatchdog works from; the netalign binary's
// hidden command `netalign host rollback-watchdog` fills it in from its
// flags.
type WatchdogConfig struct {
	// Checkpoint is the file Apply wrote (or, with Now, a .restoring or
	// .failed one an earlier watchdog left).
	Checkpoint string
	// Control and Status are the pipes from and to Apply; nil without an
	// Apply (Now).
	Control *os.File
	Status  *os.File
	// Now restores at once instead of waiting for Apply.
	Now    bool
	Logger *slog.Logger
}

// RunWatchdog is the rollback watchdog process (see Watchdog): it holds the
// checkpoint file, tells Apply it is ready, and restores the checkpoint
// when Apply's process goes away without disarming it, when Apply asks for
// it, at the checkpoint's deadline, or at SIGTERM; "disarm" or the file's
// removal by hand make it exit without touching the host. It takes over
// the process's signals: SIGHUP, SIGINT and SIGPIPE are ignored (a
// terminal that goes away must not stop it, and a closed stderr must not
// kill it), SIGTERM restores at once. A restore is logged and written to
// the kernel log (/dev/kmsg).
func RunWatchdog(ctx context.Context, cfg WatchdogConfig) error {
	return runWatchdog(ctx, cfg, kmsg, func(cf *checkpointFile, log *slog.Logger) (restoreFunc, func(), error) {
		routes, err := loadRoutes(cf.Routes)
		if err != nil {
			return nil, nil, err
		}
		x, err := Open(Options{Name: cf.Host, NetNSPath: cf.NetNS, Logger: log})
		if err != nil {
			return nil, nil, err
		}
		return func(ctx context.Context, _ string) (int, error) {
			before := x.writes
			err := x.restore(ctx, cf.State, routes, cf.Creates)
			return x.writes - before, err
		}, func() { x.Close() }, nil
	})
}

// restoreFunc restores a checkpoint for reason and returns its netlink
// writes.
type restoreFunc func(ctx context.Context, reason string) (int, error)

// runWatchdog is RunWatchdog with the restore made by open and restores
// recorded by notify (tests restore nothing and keep the kernel log clean).
func runWatchdog(ctx context.Context, cfg WatchdogConfig, notify func(string), open func(*checkpointFile, *slog.Logger) (restoreFunc, func(), error)) error {
	signal.Ignore(syscall.SIGHUP, syscall.SIGINT, syscall.SIGPIPE)
	signal.Reset(syscall.SIGTERM)
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	defer signal.Stop(term)
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("checkpoint", cfg.Checkpoint)

	f, err := os.Open(cfg.Checkpoint)
	if err != nil {
		return fmt.Errorf("rollback watchdog: %w", err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_SH); err != nil {
		return fmt.Errorf("rollback watchdog: lock %s: %w", cfg.Checkpoint, err)
	}
	cf, err := readCheckpoint(f)
	if err != nil {
		return fmt.Errorf("rollback watchdog: checkpoint %s: %w", cfg.Checkpoint, err)
	}
	restore, closeFn, err := open(cf, log)
	if err != nil {
		return fmt.Errorf("rollback watchdog: checkpoint %s: %w", cfg.Checkpoint, err)
	}
	defer closeFn()
	w := &watcher{path: cfg.Checkpoint, deadline: cf.Deadline, term: term, log: log, notify: notify, restore: restore}
	if cfg.Status != nil {
		w.status = cfg.Status
	}
	if cfg.Now {
		return w.fire(context.WithoutCancel(ctx), "now")
	}
	if cfg.Control == nil || cfg.Status == nil {
		return errors.New("rollback watchdog: no control and status pipes (pass --now to restore at once)")
	}
	w.ctrl = cfg.Control
	log.Info("rollback watchdog holds the checkpoint", "host", cf.Host, "netalign", cf.Owner, "deadline", cf.Deadline.Format(time.RFC3339))
	w.say("ready")
	return w.run(context.WithoutCancel(ctx))
}

// watcher is RunWatchdog's loop, apart from the process so that it can be
// tested without one.
type watcher struct {
	path     string
	ctrl     io.Reader
	status   io.Writer
	deadline time.Time
	term     <-chan os.Signal
	log      *slog.Logger
	restore  restoreFunc
	// notify records a restore where it outlives the session (kmsg).
	notify func(msg string)
	// poll is how often the file is looked at (default 500 ms).
	poll time.Duration
}

func (w *watcher) say(line string) {
	if w.status == nil {
		return
	}
	if _, err := io.WriteString(w.status, line+"\n"); err != nil {
		w.log.Debug("status pipe", "err", err)
	}
}

// run waits for the first event and acts on it.
func (w *watcher) run(ctx context.Context) error {
	events := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(w.ctrl)
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); l == "disarm" || l == "restore" {
				events <- l
				return
			}
		}
		events <- "eof"
	}()
	poll := w.poll
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	deadline := time.NewTimer(time.Until(w.deadline))
	defer deadline.Stop()
	for {
		select {
		case ev := <-events:
			switch ev {
			case "disarm":
				if err := os.Remove(w.path); err != nil && !errors.Is(err, os.ErrNotExist) {
					w.log.Warn("remove checkpoint", "err", err)
				}
				w.log.Info("rollback watchdog disarmed: the changes stand")
				w.say("disarmed")
				return nil
			case "restore":
				return w.fire(ctx, "requested")
			}
			return w.fire(ctx, "netalign-gone")
		case <-deadline.C:
			return w.fire(ctx, "deadline")
		case <-w.term:
			return w.fire(ctx, "SIGTERM")
		case <-tick.C:
			if _, err := os.Lstat(w.path); errors.Is(err, os.ErrNotExist) {
				w.log.Warn("checkpoint file removed: rollback watchdog cancelled, the host is left as it is")
				w.say("cancelled")
				return nil
			}
		}
	}
}

// fire claims the checkpoint (rename to .restoring), restores it, reports
// and removes it; a failed restore leaves it as .failed for the operator
// and the next apply to see.
func (w *watcher) fire(ctx context.Context, reason string) error {
	restoring := armedPath(w.path) + ".restoring"
	if err := os.Rename(w.path, restoring); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			w.log.Warn("checkpoint file removed: rollback watchdog cancelled, the host is left as it is", "reason", reason)
			w.say("cancelled")
			return nil
		}
		return fmt.Errorf("rollback watchdog: claim checkpoint: %w", err)
	}
	w.log.Warn("rollback watchdog restoring the host checkpoint", "reason", reason)
	ctx, cancel := context.WithTimeout(ctx, watchdogRestoreWait)
	defer cancel()
	writes, err := w.restore(ctx, reason)
	res := watchdogResult{Reason: reason, Writes: writes}
	if err != nil {
		res.Error = err.Error()
	}
	b, _ := json.Marshal(res)
	w.say("restored " + string(b))
	msg := fmt.Sprintf("rollback watchdog restored the host checkpoint %s (%s, %d netlink writes)", armedPath(w.path), reason, writes)
	if err != nil {
		failed := armedPath(w.path) + ".failed"
		msg = fmt.Sprintf("rollback watchdog could not restore the host checkpoint %s (%s): %v; kept as %s", armedPath(w.path), reason, err, failed)
		if rerr := os.Rename(restoring, failed); rerr != nil {
			w.log.Warn("keep failed checkpoint", "err", rerr)
		}
		w.log.Error("restore host checkpoint", "reason", reason, "writes", writes, "err", err)
	} else {
		os.Remove(restoring)
		w.log.Warn("host checkpoint restored", "reason", reason, "writes", writes)
	}
	if w.notify != nil {
		w.notify(msg)
	}
	if err != nil {
		return fmt.Errorf("rollback watchdog: %w", err)
	}
	return nil
}

// kmsg writes one warning to the kernel log, where journald and dmesg show
// it after the operator's session is gone. Best effort.
func kmsg(msg string) {
	f, err := os.OpenFile("/dev/kmsg", os.O_WRONLY, 0)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "<4>netalign[%d]: %s\n", os.Getpid(), msg)
}
