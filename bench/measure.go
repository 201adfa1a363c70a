package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Measure is the cost of one subprocess run.
type Measure struct {
	Wall time.Duration
	// CPU is user+system time of the process and the children it waited
	// for (ansible-playbook's forks).
	CPU time.Duration
	// MaxRSS is the peak resident set of the largest single process of
	// the tree, in bytes (rusage ru_maxrss).
	MaxRSS int64
	// TreeRSS is the peak of the sum of resident sets of the process and
	// its descendants, sampled every 50 ms, in bytes.
	TreeRSS int64
}

// Run is the outcome of one subprocess.
type Run struct {
	Measure
	Exit           int
	Stdout, Stderr string
}

// prSetChildSubreaper is prctl's PR_SET_CHILD_SUBREAPER.
const prSetChildSubreaper = 36

// Subreaper makes this process the reaper of its orphaned descendants, so
// that daemons a measured process leaves behind (ansible-connection, the
// persistent SSH connections of network_cli, double-fork away from
// ansible-playbook) are waited for by Exec and their CPU time counted.
// Call it once, before Exec, in a process that starts no other children
// while Exec runs.
func Subreaper() error {
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		return fmt.Errorf("prctl PR_SET_CHILD_SUBREAPER: %w", errno)
	}
	return nil
}

type orphanUsage struct {
	cpu    time.Duration
	maxRSS int64
}

// reapOrphans waits for descendants re-parented to this process (see
// Subreaper), up to timeout, and sums their CPU time.
func reapOrphans(timeout time.Duration) orphanUsage {
	var u orphanUsage
	deadline := time.Now().Add(timeout)
	for {
		var ws syscall.WaitStatus
		var ru syscall.Rusage
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, &ru)
		switch {
		case pid > 0:
			u.cpu += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
			u.maxRSS = max(u.maxRSS, ru.Maxrss*1024)
			continue
		case err == syscall.EINTR:
			continue
		case err != nil || time.Now().After(deadline):
			// ECHILD: nothing left.
			return u
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Exec runs name args with env added to the environment and measures it.
// A non-zero exit is not an error; a process that cannot start is.
func Exec(ctx context.Context, env []string, dir string, name string, args ...string) (Run, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Run{}, fmt.Errorf("run %s: %w", name, err)
	}
	stop := make(chan struct{})
	peak := make(chan int64, 1)
	go func() {
		var max int64
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if v := treeRSS(os.Getpid()); v > max {
				max = v
			}
			select {
			case <-stop:
				peak <- max
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	orphans := reapOrphans(60 * time.Second)
	wall := time.Since(start)
	close(stop)
	r := Run{Stdout: out.String(), Stderr: errb.String()}
	r.Wall = wall
	r.TreeRSS = <-peak
	if cmd.ProcessState == nil {
		return r, fmt.Errorf("run %s: %w", name, err)
	}
	r.Exit = cmd.ProcessState.ExitCode()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		r.MaxRSS = ru.Maxrss * 1024
	}
	r.CPU += orphans.cpu
	r.MaxRSS = max(r.MaxRSS, orphans.maxRSS)
	if r.TreeRSS < r.MaxRSS {
		r.TreeRSS = r.MaxRSS
	}
	return r, nil
}

// treeRSS sums VmRSS of the descendants of root (not root itself) (0 when /proc is absent).
func treeRSS(root int) int64 {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	parent := map[int]int{}
	rss := map[int]int64{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			k, v, _ := strings.Cut(line, ":")
			switch k {
			case "PPid":
				parent[pid], _ = strconv.Atoi(strings.TrimSpace(v))
			case "VmRSS":
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				rss[pid] = kb * 1024
			}
		}
	}
	var sum int64
	for pid, r := range rss {
		if pid == root {
			continue
		}
		for p := pid; p != 0; p = parent[p] {
			if p == root {
				sum += r
				break
			}
		}
	}
	return sum
}
