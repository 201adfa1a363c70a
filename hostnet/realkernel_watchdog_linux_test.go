//go:build realkernel

package hostnet

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netalign/netalign/internal/intent"
)

// holdMarker is what netalign logs when NETALIGN_TEST_HOLD_AFTER_WRITE
// pauses it after a netlink write.
const holdMarker = `msg="test hook: holding after a netlink write"`

// runningNetalign is the netalign binary started in the host namespace in
// its own process group, as a shell starts a job: the test signals the
// group as a terminal hangup or a kill of the job would.
type runningNetalign struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdout bytes.Buffer
	mu     sync.Mutex
	stderr bytes.Buffer
	// stderrDone closes when every writer of stderr is gone: netalign and
	// the rollback watchdog it started (which inherits its stderr).
	stderrDone chan struct{}
	exited     chan struct{}
	code       int
}

func (l *lab) startNetalign(bin string, env []string, args ...string) *runningNetalign {
	l.t.Helper()
	r := &runningNetalign{t: l.t, stderrDone: make(chan struct{}), exited: make(chan struct{})}
	r.cmd = exec.Command("ip", append([]string{"netns", "exec", "host", bin, "--no-color"}, args...)...)
	r.cmd.Env = append(os.Environ(), env...)
	r.cmd.Stdout = &r.stdout
	pr, pw, err := os.Pipe()
	l.must("pipe", err)
	r.cmd.Stderr = pw
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	l.must("start netalign", r.cmd.Start())
	pw.Close()
	go func() {
		defer close(r.stderrDone)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			r.mu.Lock()
			r.stderr.WriteString(sc.Text() + "\n")
			r.mu.Unlock()
		}
		pr.Close()
	}()
	go func() {
		err := r.cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			r.code = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				r.code = 128 + int(ws.Signal())
			}
		}
		close(r.exited)
	}()
	l.t.Cleanup(func() {
		select {
		case <-r.exited:
		default:
			syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
			<-r.exited
		}
	})
	return r
}

func (r *runningNetalign) log() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stderr.String()
}

// waitLog waits until netalign's stderr has s.
func (r *runningNetalign) waitLog(s string, wait time.Duration) {
	r.t.Helper()
	end := time.Now().Add(wait)
	for !strings.Contains(r.log(), s) {
		if time.Now().After(end) {
			r.t.Fatalf("netalign did not log %q within %v; stderr:\n%s", s, wait, r.log())
		}
		select {
		case <-r.exited:
			if !strings.Contains(r.log(), s) {
				r.t.Fatalf("netalign exited %d before it logged %q; stderr:\n%s", r.code, s, r.log())
			}
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// signal sends sig to netalign's process group.
func (r *runningNetalign) signal(sig syscall.Signal) {
	r.t.Helper()
	if err := syscall.Kill(-r.cmd.Process.Pid, sig); err != nil {
		r.t.Fatalf("kill -%v netalign: %v", sig, err)
	}
}

// wait waits for netalign to exit and returns its code.
func (r *runningNetalign) wait(wait time.Duration) int {
	r.t.Helper()
	select {
	case <-r.exited:
	case <-time.After(wait):
		r.t.Fatalf("netalign still running after %v; stderr:\n%s", wait, r.log())
	}
	return r.code
}

// report logs what netalign printed (after the watchdog's lines, if any).
func (r *runningNetalign) report() {
	r.t.Helper()
	select {
	case <-r.stderrDone:
	case <-time.After(10 * time.Second):
	}
	r.t.Logf("netalign exit %d\n%s--- stderr ---\n%s", r.code, r.stdout.String(), r.log())
}

// watchdogLeftovers lists rollback watchdog processes and checkpoint files
// still there.
func watchdogLeftovers() []string {
	var left []string
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, []byte("rollback-watchdog")) {
			left = append(left, "process "+filepath.Base(filepath.Dir(p))+": "+strings.ReplaceAll(string(bytes.TrimRight(b, "\x00")), "\x00", " "))
		}
	}
	files, _ := filepath.Glob(filepath.Join(DefaultWatchdogDir, "*"))
	for _, f := range files {
		left = append(left, "file "+f)
	}
	return left
}

// noWatchdogLeft fails unless no watchdog process and no checkpoint file
// are left within wait.
func noWatchdogLeft(t *testing.T, wait time.Duration) {
	t.Helper()
	end := time.Now().Add(wait)
	for {
		left := watchdogLeftovers()
		if len(left) == 0 {
			return
		}
		if time.Now().After(end) {
			t.Errorf("left behind after %v: %s", wait, strings.Join(left, "; "))
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// restoredWithin waits until the host equals before again (links,
// masters, admin state, MTU, bridge VLANs; data-bo and data-br gone) and
// 10.9.0.2 answers, and fails if that takes longer than wait.
func (l *lab) restoredWithin(before *intent.HostState, wait time.Duration) time.Duration {
	l.t.Helper()
	start := time.Now()
	ignore := cmpopts.IgnoreFields(intent.Link{}, "OperState")
	var diff string
	for time.Since(start) < wait {
		after, err := l.host.Observe(context.Background())
		l.must("observe", err)
		if diff = cmp.Diff(before.Links, after.Links, ignore); diff == "" {
			if l.ping("host", "10.9.0.2", max(wait-time.Since(start), time.Second)) {
				return time.Since(start)
			}
			l.t.Fatalf("links restored, but 10.9.0.2 does not answer within %v", wait)
		}
		time.Sleep(100 * time.Millisecond)
	}
	l.t.Fatalf("host not restored within %v (-before +now):\n%s", wait, diff)
	return 0
}

// TestRealKernelCLIKilledMidApply: netalign (the binary, access local) is
// killed with SIGKILL — its whole process group, as when the job is
// killed — in the middle of an apply that cuts the host off: right after
// its first netlink write, with eth-a enslaved and down (the 3rd write),
// and during the connectivity check. The rollback watchdog it armed before
// the first write restores the host (links as before, the peer answers)
// well within the check timeout, says so in the kernel log, and leaves no
// process and no checkpoint file; the plan still has the changes.
func TestRealKernelCLIKilledMidApply(t *testing.T) {
	bin := netalignBin(t)
	for _, tc := range []struct {
		name string
		hold string // NETALIGN_TEST_HOLD_AFTER_WRITE; "" = kill during the check
		// abandon: two SIGINTs (the second makes netalign exit 130
		// at once) instead of SIGKILL.
		abandon bool
	}{
		{"first write", "1:60s", false},
		{"nic enslaved", "3:60s", false},
		{"during the check", "", false},
		{"abandoned with a second Ctrl-C", "3:60s", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const checkTimeout = 20 * time.Second
			l, inv, before := brokenLab(t, checkTimeout.String())
			var env []string
			if tc.hold != "" {
				env = append(env, "NETALIGN_TEST_HOLD_AFTER_WRITE="+tc.hold)
			}
			r := l.startNetalign(bin, env, "apply", "-i", inv, "--yes")
			if tc.hold != "" {
				r.waitLog(holdMarker, time.Minute)
			} else {
				l.waitLastWrite(time.Minute)
			}
			r.waitLog(`msg="rollback watchdog armed"`, time.Second)
			want := 128 + int(syscall.SIGKILL)
			if tc.abandon {
				r.signal(syscall.SIGINT)
				r.waitLog("interrupted (SIGINT)", 5*time.Second)
				r.signal(syscall.SIGINT)
				want = 130
			} else {
				r.signal(syscall.SIGKILL)
			}
			killed := time.Now()
			if code := r.wait(10 * time.Second); code != want {
				t.Errorf("netalign exit %d, want %d", code, want)
			}
			l.restoredWithin(before, checkTimeout+10*time.Second)
			t.Logf("host restored and the peer answering %v after the kill", time.Since(killed).Round(time.Millisecond))
			noWatchdogLeft(t, 5*time.Second)
			r.report()
			for _, want := range []string{`reason=netalign-gone`, `msg="host checkpoint restored"`} {
				if !strings.Contains(r.log(), want) {
					t.Errorf("watchdog log lacks %q", want)
				}
			}
			if out, _ := exec.Command("dmesg").Output(); !bytes.Contains(out, []byte("rollback watchdog restored the host checkpoint")) {
				t.Errorf("kernel log does not record the restore")
			}
			if code, _, _ := l.netalign(bin, "plan", "-i", inv, "--detailed-exitcode"); code != 2 {
				t.Errorf("plan --detailed-exitcode after the restore: exit %d, want 2 (changes still to make)", code)
			}
		})
	}
}

// waitLastWrite waits until the host has the apply's last change, VLAN 100
// on data-bo: netalign is then in its connectivity check.
func (l *lab) waitLastWrite(wait time.Duration) {
	l.t.Helper()
	end := time.Now().Add(wait)
	for time.Now().Before(end) {
		if k, err := l.h("host").LinkByName("data-bo"); err == nil {
			vlans, err := l.h("host").BridgeVlanList()
			l.must("bridge vlan list", err)
			for _, v := range vlans[int32(k.Attrs().Index)] {
				if v.Vid == 100 {
					return
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	l.t.Fatalf("VLAN 100 not on data-bo within %v", wait)
}

// TestRealKernelCLIHangup: netalign's process group gets SIGHUP (the
// operator's terminal went away) while netalign holds after a netlink
// write. The apply goes on: a change that keeps the peer reachable
// finishes (the plan is empty afterwards), one that cuts the host off is
// restored by the watchdog after the check; neither leaves a watchdog or a
// checkpoint behind.
func TestRealKernelCLIHangup(t *testing.T) {
	bin := netalignBin(t)
	t.Run("finishes", func(t *testing.T) {
		if left := watchdogLeftovers(); len(left) > 0 {
			t.Fatalf("before the test: %s", strings.Join(left, "; "))
		}
		l, inv := cliLab(t)
		r := l.startNetalign(bin, []string{"NETALIGN_TEST_HOLD_AFTER_WRITE=1:2s"}, "apply", "-i", inv, "--yes")
		r.waitLog(holdMarker, time.Minute)
		r.signal(syscall.SIGHUP)
		code := r.wait(time.Minute)
		r.report()
		if !strings.Contains(r.log(), "interrupted (SIGHUP)") {
			t.Errorf("netalign did not report the SIGHUP")
		}
		if !strings.Contains(r.log(), `msg="connectivity check passed"`) || strings.Contains(r.log(), "rolled-back") {
			t.Errorf("exit %d: the apply did not finish with a passed check", code)
		}
		noWatchdogLeft(t, 5*time.Second)
		if code, _, _ := l.netalign(bin, "plan", "-i", inv, "--detailed-exitcode"); code != 0 {
			t.Errorf("plan --detailed-exitcode after the interrupted apply: exit %d, want 0 (applied)", code)
		}
	})
	t.Run("restores", func(t *testing.T) {
		l, inv, before := brokenLab(t, "3s")
		r := l.startNetalign(bin, []string{"NETALIGN_TEST_HOLD_AFTER_WRITE=3:2s"}, "apply", "-i", inv, "--yes")
		r.waitLog(holdMarker, time.Minute)
		r.signal(syscall.SIGHUP)
		code := r.wait(time.Minute)
		r.report()
		if code != 1 {
			t.Errorf("exit %d, want 1 (rolled back)", code)
		}
		if !strings.Contains(r.log(), "interrupted (SIGHUP)") || !strings.Contains(r.log(), `by=watchdog`) {
			t.Errorf("netalign did not report the SIGHUP and a restore by the watchdog")
		}
		if !strings.Contains(r.stdout.String(), "rolled-back") {
			t.Errorf("apply output does not report the host rolled back")
		}
		l.restoredWithin(before, 5*time.Second)
		noWatchdogLeft(t, 5*time.Second)
	})
}

// TestRealKernelCLIStoppedPastDeadline: netalign is stopped (SIGSTOP) with
// eth-a enslaved: it neither confirms nor rolls back. At its deadline
// (check timeout + WatchdogGrace after the first write) the watchdog
// restores the host; netalign, continued, makes no further write, reports
// the host rolled back by the watchdog and exits 1.
func TestRealKernelCLIStoppedPastDeadline(t *testing.T) {
	bin := netalignBin(t)
	const checkTimeout = 3 * time.Second
	l, inv, before := brokenLab(t, checkTimeout.String())
	r := l.startNetalign(bin, []string{"NETALIGN_TEST_HOLD_AFTER_WRITE=3:1s"}, "--log-level", "debug", "apply", "-i", inv, "--yes")
	r.waitLog(holdMarker, time.Minute)
	r.signal(syscall.SIGSTOP)
	took := l.restoredWithin(before, checkTimeout+WatchdogGrace+10*time.Second)
	t.Logf("restored %v after netalign was stopped", took.Round(time.Millisecond))
	if took < checkTimeout+WatchdogGrace-3*time.Second {
		t.Errorf("restored %v after the stop, before the deadline", took)
	}
	noWatchdogLeft(t, 5*time.Second)
	mark := len(r.log())
	r.signal(syscall.SIGCONT)
	code := r.wait(time.Minute)
	r.report()
	if code != 1 {
		t.Errorf("exit %d, want 1 (rolled back)", code)
	}
	for _, want := range []string{`reason=deadline`, "apply create bond-slave eth-a: link set up eth-a: rollback watchdog restored the host at its deadline", `by=watchdog`} {
		if !strings.Contains(r.log(), want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if strings.Contains(r.log()[mark:], `msg="netlink write"`) {
		t.Errorf("netalign wrote after the watchdog restored the host")
	}
	l.restoredWithin(before, time.Second)
}

// TestRealKernelCLISystemdScope: where systemd runs (/run/systemd/system),
// netalign starts the watchdog through `systemd-run --scope`, so that it
// leaves the cgroup of the session or unit netalign runs in. The VM has no
// systemd: a stand-in systemd-run records its arguments and execs the
// command, as systemd-run --scope does (same process, file descriptors
// kept). When systemd-run fails, netalign falls back to a plain new
// session. Either way the watchdog restores the host after a SIGKILL.
func TestRealKernelCLISystemdScope(t *testing.T) {
	bin := netalignBin(t)
	if _, err := os.Stat(systemdBooted); err == nil {
		t.Skip("systemd runs here: a stand-in systemd-run would replace the real one")
	}
	if err := os.MkdirAll(systemdBooted, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(systemdBooted)) })
	stub := t.TempDir()
	argsLog := filepath.Join(stub, "args")
	script := `#!/bin/sh
echo "$*" >> ` + argsLog + `
if [ -n "$STUB_SYSTEMD_RUN_FAIL" ]; then echo "Failed to start transient scope unit: no bus" >&2; exit 1; fi
while [ $# -gt 0 ]; do
  case "$1" in --) shift; break ;; esac
  shift
done
exec "$@"
`
	if err := os.WriteFile(filepath.Join(stub, "systemd-run"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	path := "PATH=" + stub + ":" + os.Getenv("PATH")
	for _, tc := range []struct {
		name    string
		env     []string
		wantLog string
	}{
		{"scope", nil, "systemd-scope=true"},
		{"fallback", []string{"STUB_SYSTEMD_RUN_FAIL=1"}, "did not start in its own systemd scope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(argsLog)
			l, inv, before := brokenLab(t, "20s")
			r := l.startNetalign(bin, append([]string{path, "NETALIGN_TEST_HOLD_AFTER_WRITE=3:60s"}, tc.env...), "apply", "-i", inv, "--yes")
			r.waitLog(holdMarker, time.Minute)
			r.signal(syscall.SIGKILL)
			r.wait(10 * time.Second)
			l.restoredWithin(before, 30*time.Second)
			noWatchdogLeft(t, 5*time.Second)
			r.report()
			if !strings.Contains(r.log(), tc.wantLog) {
				t.Errorf("netalign log lacks %q", tc.wantLog)
			}
			b, err := os.ReadFile(argsLog)
			l.must("stand-in systemd-run arguments", err)
			args := string(b)
			t.Logf("systemd-run %s", args)
			for _, want := range []string{"--scope --quiet --collect --unit=netalign-rollback-", " -- " + bin + " host rollback-watchdog --checkpoint " + DefaultWatchdogDir + "/" + checkpointPrefix} {
				if !strings.Contains(args, want) {
					t.Errorf("systemd-run arguments lack %q", want)
				}
			}
		})
	}
}

// TestRealKernelRollbackOnFailedChange: a change the kernel refuses (an MTU
// above the veth maximum) after others were made rolls the host back to its
// checkpoint, in this process and through the watchdog alike.
func TestRealKernelRollbackOnFailedChange(t *testing.T) {
	bin := netalignBin(t)
	for _, tc := range []struct {
		name     string
		watchdog *Watchdog
		by       string
	}{
		{"in process", nil, "netalign"},
		{"watchdog", &Watchdog{Command: []string{bin, "host", "rollback-watchdog"}, Stderr: os.Stderr}, "watchdog"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t, 2)
			cp, err := l.host.Observe(context.Background())
			l.must("observe", err)
			changes := append(Diff(mgmtDesired(intent.ActiveBackup, "h0"), *cp),
				intent.HostChange{Action: intent.Update, Object: intent.ObjLinkMTU, Name: "h1", MTU: 70000})
			res, err := l.host.Apply(context.Background(), changes, ApplyOptions{NoCheck: true, Watchdog: tc.watchdog})
			if err == nil || !strings.Contains(err.Error(), "apply update mtu h1: link set mtu h1") {
				t.Fatalf("apply: %v, want the MTU change refused", err)
			}
			if len(res.Applied) != len(changes)-1 || !res.RolledBack || res.RollbackBy != tc.by || res.RollbackErr != "" {
				t.Errorf("result: %d of %d applied, rolledBack %v by %q, err %q", len(res.Applied), len(changes), res.RolledBack, res.RollbackBy, res.RollbackErr)
			}
			after, err := l.host.Observe(context.Background())
			l.must("observe", err)
			if diff := cmp.Diff(cp.Links, after.Links, cmpopts.IgnoreFields(intent.Link{}, "OperState")); diff != "" {
				t.Errorf("host not restored to the checkpoint (-checkpoint +after):\n%s", diff)
			}
			noWatchdogLeft(t, 5*time.Second)
		})
	}
}

// TestRealKernelCLIOrphanCheckpoint: netalign and its watchdog are both
// killed mid-apply (as a kill of their cgroup would), leaving the host
// half-changed and a checkpoint nobody holds. The next apply refuses to take
// the half-changed host as its checkpoint and says how to go on; `netalign
// host rollback-watchdog --now` restores the host from the file, and then
// nothing is left behind.
func TestRealKernelCLIOrphanCheckpoint(t *testing.T) {
	bin := netalignBin(t)
	l, inv, before := brokenLab(t, "3s")
	r := l.startNetalign(bin, []string{"NETALIGN_TEST_HOLD_AFTER_WRITE=3:60s"}, "apply", "-i", inv, "--yes")
	r.waitLog(holdMarker, time.Minute)
	left := watchdogLeftovers()
	var pid int
	for _, s := range left {
		if n, _, ok := strings.Cut(strings.TrimPrefix(s, "process "), ":"); ok && strings.HasPrefix(s, "process ") {
			pid = atoi(n)
		}
	}
	if pid == 0 {
		t.Fatalf("no watchdog process in %v", left)
	}
	l.must("kill the watchdog", syscall.Kill(pid, syscall.SIGKILL))
	r.signal(syscall.SIGKILL)
	r.wait(10 * time.Second)
	r.report()
	files, _ := filepath.Glob(filepath.Join(DefaultWatchdogDir, checkpointPrefix+"*"))
	if len(files) != 1 {
		t.Fatalf("checkpoint files %v, want the one the killed run left", files)
	}
	half, err := l.host.Observe(context.Background())
	l.must("observe", err)
	if half.Link("data-bo") == nil || half.Link("eth-a").Master != "data-bo" {
		t.Fatalf("host not half-changed as expected: data-bo %v, eth-a master %q", half.Link("data-bo") != nil, half.Link("eth-a").Master)
	}

	code, out, log := l.netalign(bin, "apply", "-i", inv, "--yes")
	if code != 1 {
		t.Errorf("apply over an orphan checkpoint: exit %d, want 1", code)
	}
	for _, want := range []string{"CONCURRENT_CHANGE", "host checkpoint " + files[0], "netalign host rollback-watchdog --now --checkpoint " + files[0]} {
		if !strings.Contains(out+log, want) {
			t.Errorf("apply output lacks %q", want)
		}
	}
	if strings.Contains(log, "rollback watchdog armed") {
		t.Errorf("apply armed a watchdog over the orphan checkpoint")
	}
	now, err := l.host.Observe(context.Background())
	l.must("observe", err)
	if diff := cmp.Diff(half.Links, now.Links, cmpopts.IgnoreFields(intent.Link{}, "OperState")); diff != "" {
		t.Errorf("the refused apply changed the host (-before +after):\n%s", diff)
	}

	code, _, log = l.netalign(bin, "host", "rollback-watchdog", "--now", "--checkpoint", files[0])
	if code != 0 || !strings.Contains(log, "reason=now") {
		t.Errorf("rollback-watchdog --now: exit %d, want 0 and a restore", code)
	}
	l.restoredWithin(before, 5*time.Second)
	noWatchdogLeft(t, time.Second)
}
