package dnsmasq

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Runner is where dnsmasq lives: the local machine or an SSH host. The
// server logic is written once against it.
type Runner interface {
	// Run runs cmd with /bin/sh, feeding it stdin, and returns its combined
	// output. A non-zero exit is an *ExitError that carries the output.
	Run(ctx context.Context, cmd string, stdin []byte) ([]byte, error)
	// ReadFile returns a file's content; a missing file is fs.ErrNotExist.
	ReadFile(ctx context.Context, path string) ([]byte, error)
	// WriteFile creates or truncates path with data and mode perm.
	WriteFile(ctx context.Context, path string, data []byte, perm fs.FileMode) error
	// Rename atomically replaces to with from (same file system).
	Rename(ctx context.Context, from, to string) error
	// Remove deletes path; a missing file is not an error.
	Remove(ctx context.Context, path string) error
	// Close releases the connection.
	Close() error
}

// ExitError is a command that ran and exited non-zero.
type ExitError struct {
	Cmd    string
	Status int
	Output string
}

func (e *ExitError) Error() string {
	out := strings.TrimSpace(e.Output)
	if out == "" {
		return fmt.Sprintf("%s: exit status %d", e.Cmd, e.Status)
	}
	return fmt.Sprintf("%s: exit status %d: %s", e.Cmd, e.Status, out)
}

// Local runs on this machine.
type Local struct{}

var _ Runner = Local{}

// Run implements Runner.
func (Local) Run(ctx context.Context, cmd string, stdin []byte) ([]byte, error) {
	c := exec.CommandContext(ctx, "/bin/sh", "-c", cmd)
	c.Stdin = bytes.NewReader(stdin)
	// A daemon started by cmd may keep the output pipe open; do not wait for
	// it longer than this once the shell itself has exited.
	c.WaitDelay = 5 * time.Second
	out, err := c.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out, &ExitError{Cmd: cmd, Status: ee.ExitCode(), Output: string(out)}
	}
	return out, err
}

// ReadFile implements Runner.
func (Local) ReadFile(_ context.Context, path string) ([]byte, error) { return os.ReadFile(path) }

// WriteFile implements Runner. The data is synced before the file is closed
// so that a rename after it cannot expose an empty file after a crash.
func (Local) WriteFile(_ context.Context, path string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Rename implements Runner.
func (Local) Rename(_ context.Context, from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return err
	}
	// Make the rename durable.
	if d, err := os.Open(filepath.Dir(to)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// Remove implements Runner.
func (Local) Remove(_ context.Context, path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Close implements Runner.
func (Local) Close() error { return nil }

// shellQuote quotes s for /bin/sh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
