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
var ErrBusy = errors.New("another netalign run holds the lock of this inventory")

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
			return nil, fmt.Errorf("%w (%s; lock file %s): wait for it, or pass --lock-timeout to wait longer", ErrBusy, holder, path)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(min(100*time.Millisecond, time.Until(deadline)+time.Millisecond)):
		}
	}
	abs, _ := filepath.Abs(inventory)
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(fmt.Sprintf("pid %d\ninventory %s\n", os.Getpid(), abs)), 0)
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
