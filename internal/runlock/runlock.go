// Package runlock keeps two netalign runs on one machine from changing the
// devices of one inventory at the same time: an advisory lock (flock) per
// inventory file, released by the kernel when the process ends, however it
// ends.
package runlock

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrBusy is returned when another run holds the lock past the wait.
var ErrBusy = errors.New("another netalign run holds the lock")

// Lock is a held lock.
type Lock struct {
	f    *os.File
	Path string
}

// Dir is where lock files live: $XDG_RUNTIME_DIR, else the temporary
// directory.
func Dir() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return d
	}
	return os.TempDir()
}

// PathFor is the lock file of an inventory file: one per absolute path.
func PathFor(dir, inventory string) (string, error) {
	abs, err := filepath.Abs(inventory)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(dir, "netalign-"+hex.EncodeToString(sum[:8])+".lock"), nil
}

// Acquire takes the lock of inventory, waiting up to wait (0: not at all)
// and polling, and honours ctx. The lock file records the holder's PID and
// the inventory, so that ErrBusy can name them.
func Acquire(ctx context.Context, dir, inventory string, wait time.Duration) (*Lock, error) {
	path, err := PathFor(dir, inventory)
	if err != nil {
		return nil, err
	}
	abs, _ := filepath.Abs(inventory)
	return acquire(ctx, path, "inventory "+abs, wait, "wait for it, or pass --lock-timeout to wait longer")
}

// AcquireDevice takes the lock of one device, named by what reaches it
// ("switch 192.0.2.11:22"), for as long as a transaction on it runs: two
// runs on this machine with different inventories that share a switch
// change it one after the other, never at once.
func AcquireDevice(ctx context.Context, dir, device string, wait time.Duration) (*Lock, error) {
	sum := sha256.Sum256([]byte(device))
	return acquire(ctx, filepath.Join(dir, "netalign-device-"+hex.EncodeToString(sum[:8])+".lock"), "device "+device, wait, "it is changing the device now")
}

func acquire(ctx context.Context, path, what string, wait time.Duration, hint string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	deadline := time.Now().Add(wait)
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !time.Now().Before(deadline) {
			holder := readHolder(f)
			f.Close()
			return nil, fmt.Errorf("%w of %s (%s; lock file %s): %s", ErrBusy, what, holder, path, hint)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(min(100*time.Millisecond, time.Until(deadline)+time.Millisecond)):
		}
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(fmt.Sprintf("pid %d\n%s\n", os.Getpid(), what)), 0)
	}
	return &Lock{f: f, Path: path}, nil
}

func readHolder(f *os.File) string {
	b := make([]byte, 512)
	n, _ := f.ReadAt(b, 0)
	for _, line := range strings.Split(string(b[:n]), "\n") {
		if pid, ok := strings.CutPrefix(line, "pid "); ok {
			if _, err := strconv.Atoi(pid); err == nil {
				return "held by process " + pid
			}
		}
	}
	return "held by another process"
}

// Release lets the next run in. The lock file stays (removing it would
// race with a run opening it).
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
