package hostnet

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vishvananda/netlink"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/internal/intent"
)

// TestSavedRoutes: the routes a checkpoint file keeps come back as the
// restore compares and re-adds them (sameRoute), default routes included.
func TestSavedRoutes(t *testing.T) {
	_, dst, _ := net.ParseCIDR("10.1.0.0/16")
	_, def, _ := net.ParseCIDR("0.0.0.0/0")
	in := []netlink.Route{
		{Family: netlink.FAMILY_V4, Table: 254, LinkIndex: 2, Gw: net.ParseIP("10.9.0.254"), Protocol: 3, Priority: 100},
		{Family: netlink.FAMILY_V4, Table: 254, LinkIndex: 2, Dst: def, Gw: net.ParseIP("10.9.0.1")},
		{Family: netlink.FAMILY_V4, Table: 254, LinkIndex: 3, Dst: dst, Src: net.ParseIP("10.1.0.5"), Scope: netlink.SCOPE_LINK, Protocol: 2, Type: 1},
		{Family: netlink.FAMILY_V6, Table: 254, LinkIndex: 3, Gw: net.ParseIP("fe80::1"), MTU: 1400},
	}
	b, err := json.Marshal(saveRoutes(in))
	if err != nil {
		t.Fatal(err)
	}
	var saved []savedRoute
	if err := json.Unmarshal(b, &saved); err != nil {
		t.Fatal(err)
	}
	out, err := loadRoutes(saved)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("%d routes back, want %d", len(out), len(in))
	}
	for i := range in {
		if !sameRoute(in[i], out[i]) || in[i].Src.String() != out[i].Src.String() || in[i].Protocol != out[i].Protocol ||
			in[i].Scope != out[i].Scope || in[i].MTU != out[i].MTU || in[i].Family != out[i].Family {
			t.Errorf("route %d: got %+v, want %+v", i, out[i], in[i])
		}
	}
	if _, err := loadRoutes([]savedRoute{{Gw: "not-an-ip"}}); err == nil {
		t.Error("loadRoutes accepted a gateway that is not an address")
	}
}

// TestPlannedCreates: the watchdog deletes only links the changes create.
func TestPlannedCreates(t *testing.T) {
	cp := &intent.HostState{Links: []intent.Link{{Name: "eth-a"}, {Name: "old-br"}}}
	changes := []intent.HostChange{
		{Object: intent.ObjBond, Action: intent.Create, Name: "data-bo"},
		{Object: intent.ObjBondSlave, Action: intent.Create, Name: "eth-a", Master: "data-bo"},
		{Object: intent.ObjBridge, Action: intent.Create, Name: "data-br"},
		{Object: intent.ObjBridge, Action: intent.Update, Name: "old-br"},
		{Object: intent.ObjSubIf, Action: intent.Create, Name: "data-br.10"},
		{Object: intent.ObjSubIf, Action: intent.Delete, Name: "gone.20"},
	}
	if diff := cmp.Diff([]string{"data-bo", "data-br", "data-br.10"}, plannedCreates(changes, cp)); diff != "" {
		t.Errorf("plannedCreates (-want +got):\n%s", diff)
	}
}

func testCheckpoint() *checkpointFile {
	return &checkpointFile{Version: checkpointVersion, Host: "h1", Owner: 42, Armed: time.Unix(1e9, 0).UTC(),
		Deadline: time.Unix(1e9+30, 0).UTC(), State: &intent.HostState{Name: "h1", Links: []intent.Link{{Name: "eth0", MTU: 1500, AdminUp: true}}},
		Routes: []savedRoute{{Family: netlink.FAMILY_V4, Gw: "10.0.0.1", LinkIndex: 2}}, Creates: []string{"data-bo"}}
}

// TestCheckpointFile: a checkpoint is written atomically, 0600, held, and
// read back as written; a file of another version or without state is
// refused.
func TestCheckpointFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	path, held, err := writeCheckpoint(dir, testCheckpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if !strings.HasPrefix(filepath.Base(path), checkpointPrefix) || !strings.HasSuffix(path, ".json") {
		t.Errorf("checkpoint name %s", path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("checkpoint mode %v, want 0600", fi.Mode().Perm())
	}
	if di, _ := os.Stat(dir); di.Mode().Perm() != 0o700 {
		t.Errorf("checkpoint directory mode %v, want 0700", di.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want the checkpoint only", len(entries))
	}
	// A directory others can write to is refused.
	open := t.TempDir()
	os.Chmod(open, 0o777)
	if _, _, err := writeCheckpoint(open, testCheckpoint()); err == nil || !strings.Contains(err.Error(), "writable by it alone") {
		t.Errorf("world-writable directory: %v, want refused", err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := readCheckpoint(f)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(testCheckpoint(), got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	for name, text := range map[string]string{
		"version": `{"version": 9, "state": {"name": "h1", "links": []}}`,
		"state":   `{"version": 1}`,
		"unknown": `{"version": 1, "state": {"name": "h1", "links": []}, "extra": 1}`,
	} {
		p := filepath.Join(t.TempDir(), name)
		os.WriteFile(p, []byte(text), 0o600)
		f, _ := os.Open(p)
		if _, err := readCheckpoint(f); err == nil {
			t.Errorf("%s: readCheckpoint accepted %s", name, text)
		}
		f.Close()
	}
}

// TestPendingCheckpoints: a checkpoint a live process holds is waited for;
// one nobody holds stops the apply with ErrPendingCheckpoint
// (CONCURRENT_CHANGE) and says how to restore or drop it.
func TestPendingCheckpoints(t *testing.T) {
	dir := t.TempDir()
	if busy, err := pendingCheckpoints(filepath.Join(dir, "missing")); err != nil || busy != nil {
		t.Errorf("missing directory: %v %v, want nothing pending", busy, err)
	}
	path, held, err := writeCheckpoint(dir, testCheckpoint())
	if err != nil {
		t.Fatal(err)
	}
	busy, err := pendingCheckpoints(dir)
	if err != nil || len(busy) != 1 || busy[0] != path {
		t.Fatalf("held checkpoint: %v %v, want it busy", busy, err)
	}

	// settlePending waits until the holder is done with it.
	go func(path string, held io.Closer) {
		time.Sleep(300 * time.Millisecond)
		os.Remove(path)
		held.Close()
	}(path, held)
	start := time.Now()
	if err := settlePending(context.Background(), dir, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("settlePending: %v", err)
	}
	if took := time.Since(start); took < 250*time.Millisecond {
		t.Errorf("settlePending returned after %v, before the holder removed its checkpoint", took)
	}

	// A checkpoint still held when ctx ends: CONCURRENT_CHANGE.
	path, held, err = writeCheckpoint(dir, testCheckpoint())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err = settlePending(ctx, dir, slog.New(slog.DiscardHandler))
	if cause.Of(err) != cause.ConcurrentChange || errors.Is(err, ErrPendingCheckpoint) {
		t.Errorf("held past ctx: %v (cause %s), want CONCURRENT_CHANGE, not pending", err, cause.Of(err))
	}

	// Its holder dies: an orphan.
	held.Close()
	for _, p := range []string{path, path + ".failed"} {
		if p != path {
			os.Rename(path, p)
		}
		_, err = pendingCheckpoints(dir)
		if !errors.Is(err, ErrPendingCheckpoint) || cause.Of(err) != cause.ConcurrentChange {
			t.Fatalf("%s: %v, want ErrPendingCheckpoint", p, err)
		}
		for _, want := range []string{p, "netalign host rollback-watchdog --now --checkpoint " + p, "netalign pid 42", "remove the file"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("orphan error %q lacks %q", err, want)
			}
		}
	}
	if !strings.Contains(err.Error(), "restore failed") {
		t.Errorf("error for a .failed checkpoint does not say the restore failed: %v", err)
	}
	// Temporary files of a write in progress are not checkpoints.
	os.Remove(path + ".failed")
	os.WriteFile(filepath.Join(dir, ".tmp-"+checkpointPrefix+"1.json"), nil, 0o600)
	if busy, err := pendingCheckpoints(dir); err != nil || len(busy) != 0 {
		t.Errorf("with a temporary file only: %v %v, want nothing pending", busy, err)
	}
}

// watcherRig runs a watcher on a real checkpoint file with pipes and a
// fake restore.
type watcherRig struct {
	path     string
	ctrl     *os.File // our end
	status   *bufio.Scanner
	restores chan string
	notes    chan string
	done     chan error
}

func newWatcherRig(t *testing.T, deadline time.Duration, restoreErr error, term <-chan os.Signal) *watcherRig {
	t.Helper()
	dir := t.TempDir()
	path, held, err := writeCheckpoint(dir, testCheckpoint())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { held.Close() })
	ctrlR, ctrlW, _ := os.Pipe()
	statR, statW, _ := os.Pipe()
	t.Cleanup(func() { ctrlR.Close(); ctrlW.Close(); statR.Close(); statW.Close() })
	r := &watcherRig{path: path, ctrl: ctrlW, status: bufio.NewScanner(statR), restores: make(chan string, 1),
		notes: make(chan string, 1), done: make(chan error, 1)}
	w := &watcher{path: path, ctrl: ctrlR, status: statW, deadline: time.Now().Add(deadline), term: term,
		log: slog.New(slog.DiscardHandler), poll: 20 * time.Millisecond,
		notify: func(m string) { r.notes <- m },
		restore: func(context.Context, string) (int, error) {
			// The claimed file is .restoring while the restore runs.
			if _, err := os.Stat(path + ".restoring"); err != nil {
				t.Errorf("during the restore: %v", err)
			}
			r.restores <- "restored"
			return 7, restoreErr
		}}
	go func() { r.done <- w.run(context.Background()) }()
	return r
}

func (r *watcherRig) answer(t *testing.T) string {
	t.Helper()
	if !r.status.Scan() {
		t.Fatal("status pipe closed without an answer")
	}
	return r.status.Text()
}

func (r *watcherRig) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-r.done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("watcher did not return")
	}
	return nil
}

// TestWatcher: each way a watchdog can end, what it does to the host (the
// fake restore), what it tells Apply and which file it leaves.
func TestWatcher(t *testing.T) {
	for _, tc := range []struct {
		name        string
		deadline    time.Duration
		act         func(r *watcherRig, term chan os.Signal)
		restoreErr  error
		wantReason  string // "" = no restore
		wantAnswer  string
		wantLeft    string // suffix of a file left, "" = none
		wantErrText string
	}{
		{name: "disarm", deadline: time.Hour, act: func(r *watcherRig, _ chan os.Signal) { io.WriteString(r.ctrl, "disarm\n") },
			wantAnswer: "disarmed"},
		{name: "netalign killed", deadline: time.Hour, act: func(r *watcherRig, _ chan os.Signal) { r.ctrl.Close() },
			wantReason: "netalign-gone"},
		{name: "restore asked", deadline: time.Hour, act: func(r *watcherRig, _ chan os.Signal) { io.WriteString(r.ctrl, "restore\n") },
			wantReason: "requested"},
		{name: "deadline", deadline: 100 * time.Millisecond, act: func(*watcherRig, chan os.Signal) {},
			wantReason: "deadline"},
		{name: "SIGTERM", deadline: time.Hour, act: func(_ *watcherRig, term chan os.Signal) { term <- syscall.SIGTERM },
			wantReason: "SIGTERM"},
		{name: "removed by hand", deadline: time.Hour, act: func(r *watcherRig, _ chan os.Signal) { os.Remove(r.path) },
			wantAnswer: "cancelled"},
		{name: "restore fails", deadline: time.Hour, act: func(r *watcherRig, _ chan os.Signal) { r.ctrl.Close() },
			restoreErr: errors.New("link set master: no such device"), wantReason: "netalign-gone", wantLeft: ".failed",
			wantErrText: "no such device"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			term := make(chan os.Signal, 1)
			r := newWatcherRig(t, tc.deadline, tc.restoreErr, term)
			tc.act(r, term)
			ans := r.answer(t)
			err := r.wait(t)
			if tc.wantReason != "" {
				var res watchdogResult
				rest, ok := strings.CutPrefix(ans, "restored ")
				if !ok || json.Unmarshal([]byte(rest), &res) != nil {
					t.Fatalf("answer %q, want restored {json}", ans)
				}
				want := watchdogResult{Reason: tc.wantReason, Writes: 7}
				if tc.restoreErr != nil {
					want.Error = tc.restoreErr.Error()
				}
				if diff := cmp.Diff(want, res); diff != "" {
					t.Errorf("report (-want +got):\n%s", diff)
				}
				select {
				case <-r.restores:
				default:
					t.Error("the checkpoint was not restored")
				}
				if note := <-r.notes; !strings.Contains(note, tc.wantReason) || !strings.Contains(note, r.path) {
					t.Errorf("kernel log note %q does not name the reason and checkpoint", note)
				}
			} else {
				if ans != tc.wantAnswer {
					t.Errorf("answer %q, want %q", ans, tc.wantAnswer)
				}
				select {
				case <-r.restores:
					t.Error("restored although it should not")
				default:
				}
			}
			if tc.wantErrText != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErrText) {
					t.Errorf("run: %v, want an error with %q", err, tc.wantErrText)
				}
			} else if err != nil {
				t.Errorf("run: %v", err)
			}
			left, _ := filepath.Glob(r.path + "*")
			var want []string
			if tc.wantLeft != "" {
				want = []string{r.path + tc.wantLeft}
			}
			if diff := cmp.Diff(want, left); diff != "" {
				t.Errorf("files left (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWatchdogProcess arms a real watchdog process (this test binary,
// re-executed as a watchdog whose restore only reports) through the pipes
// Apply uses: disarm, a restore asked for, the owner's end of the control
// pipe closing as when netalign is killed, and the deadline beating a
// stopped Apply; each leaves no process and no checkpoint behind.
func TestWatchdogProcess(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	x := &Host{log: slog.New(slog.DiscardHandler)}
	arm := func(t *testing.T, deadline time.Duration) (*watchdogRun, string) {
		t.Helper()
		dir := t.TempDir()
		marker := filepath.Join(t.TempDir(), "restored")
		t.Setenv("NETALIGN_HOSTNET_TEST_WATCHDOG", marker)
		cf := testCheckpoint()
		cf.Deadline = time.Now().Add(deadline)
		run, err := x.armWatchdog(&Watchdog{Command: []string{exe, "-test.run=^TestWatchdogHelperProcess$", "--"}, Dir: dir, NoSystemd: true}, cf)
		if err != nil {
			t.Fatal(err)
		}
		if err := run.fired(); err != nil {
			t.Errorf("fired right after arming: %v", err)
		}
		return run, marker
	}
	gone := func(t *testing.T, run *watchdogRun) {
		t.Helper()
		if run.cmd != nil {
			run.close()
		}
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(run.path), "*")); len(left) > 0 {
			t.Errorf("files left: %v", left)
		}
	}
	restoredBy := func(t *testing.T, marker string) string {
		t.Helper()
		b, _ := os.ReadFile(marker)
		return string(b)
	}

	t.Run("disarm", func(t *testing.T) {
		run, marker := arm(t, time.Hour)
		pid := run.cmd.Process.Pid
		if r, err := run.disarm(); err != nil || r != nil {
			t.Errorf("disarm: %v %v", r, err)
		}
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("watchdog %d still running after disarm (%v)", pid, err)
		}
		if got := restoredBy(t, marker); got != "" {
			t.Errorf("restored (%s) although disarmed", got)
		}
		gone(t, run)
	})
	t.Run("restore", func(t *testing.T) {
		run, marker := arm(t, time.Hour)
		r, ok := run.restore()
		if !ok || r.Reason != "requested" || r.Writes != 3 {
			t.Errorf("restore: %+v %v", r, ok)
		}
		if got := restoredBy(t, marker); got != "requested" {
			t.Errorf("restored by %q, want requested", got)
		}
		gone(t, run)
	})
	t.Run("owner gone", func(t *testing.T) {
		run, marker := arm(t, time.Hour)
		run.ctrl.Close() // what the kernel does when netalign is killed
		if err := run.cmd.Wait(); err != nil {
			t.Errorf("watchdog: %v", err)
		}
		if got := restoredBy(t, marker); got != "netalign-gone" {
			t.Errorf("restored by %q, want netalign-gone", got)
		}
		run.cmd = nil
		gone(t, run)
	})
	t.Run("deadline", func(t *testing.T) {
		run, marker := arm(t, 300*time.Millisecond)
		time.Sleep(time.Second) // Apply stopped past the deadline
		if err := run.fired(); !errors.Is(err, ErrWatchdogFired) {
			t.Errorf("fired: %v, want ErrWatchdogFired", err)
		}
		r, err := run.disarm()
		if !errors.Is(err, ErrWatchdogFired) || r == nil || r.Reason != "deadline" {
			t.Errorf("disarm after the deadline: %+v %v", r, err)
		}
		if got := restoredBy(t, marker); got != "deadline" {
			t.Errorf("restored by %q, want deadline", got)
		}
		gone(t, run)
	})
	t.Run("does not start", func(t *testing.T) {
		dir := t.TempDir()
		_, err := x.armWatchdog(&Watchdog{Command: []string{"/bin/false"}, Dir: dir, NoSystemd: true}, testCheckpoint())
		if err == nil || !strings.Contains(err.Error(), "exited before it was ready") {
			t.Errorf("arm with /bin/false: %v", err)
		}
		if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) > 0 {
			t.Errorf("files left: %v", left)
		}
		if _, err := x.armWatchdog(&Watchdog{Command: []string{"netalign"}, Dir: dir}, testCheckpoint()); err == nil {
			t.Error("armWatchdog accepted a relative program path")
		}
	})
}

// TestWatchdogHelperProcess is the watchdog TestWatchdogProcess starts; it
// is skipped otherwise. Its restore writes the reason to the marker file.
func TestWatchdogHelperProcess(t *testing.T) {
	marker := os.Getenv("NETALIGN_HOSTNET_TEST_WATCHDOG")
	if marker == "" {
		t.Skip("started by TestWatchdogProcess only")
	}
	var cfg WatchdogConfig
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	for i := 0; i+1 < len(args); i += 2 {
		switch args[i] {
		case "--checkpoint":
			cfg.Checkpoint = args[i+1]
		case "--control-fd":
			cfg.Control = os.NewFile(uintptr(atoi(args[i+1])), "control")
		case "--status-fd":
			cfg.Status = os.NewFile(uintptr(atoi(args[i+1])), "status")
		}
	}
	err := runWatchdog(context.Background(), cfg, nil, func(*checkpointFile, *slog.Logger) (restoreFunc, func(), error) {
		return func(_ context.Context, reason string) (int, error) {
			return 3, os.WriteFile(marker, []byte(reason), 0o600)
		}, func() {}, nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}
