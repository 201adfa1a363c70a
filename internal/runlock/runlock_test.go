package runlock

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSecondRunIsRefusedUntilRelease(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(t.TempDir(), "inv.yaml")
	ctx := context.Background()
	a, err := Acquire(ctx, dir, inv, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(ctx, dir, inv, 0)
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("second Acquire: %v, want ErrBusy", err)
	}
	if !strings.Contains(err.Error(), "process ") || !strings.Contains(err.Error(), "--lock-timeout") {
		t.Errorf("the refusal does not name the holder or the way out: %v", err)
	}
	// Another inventory has its own lock.
	other, err := Acquire(ctx, dir, inv+".other.yaml", 0)
	if err != nil {
		t.Fatalf("another inventory: %v", err)
	}
	other.Release()
	// A waiter gets the lock once it is released.
	got := make(chan error, 1)
	go func() {
		l, err := Acquire(ctx, dir, inv, time.Minute)
		if err == nil {
			l.Release()
		}
		got <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := a.Release(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiter: %v", err)
	}
}

func TestWaitHonoursContext(t *testing.T) {
	dir, inv := t.TempDir(), "inv.yaml"
	a, err := Acquire(context.Background(), dir, inv, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if _, err := Acquire(ctx, dir, inv, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire after cancel: %v, want context.Canceled", err)
	}
}

// TestReleasedWhenTheHolderDies: a killed run leaves no stale lock.
func TestReleasedWhenTheHolderDies(t *testing.T) {
	if os.Getenv("RUNLOCK_HOLD") != "" {
		if _, err := Acquire(context.Background(), os.Getenv("RUNLOCK_DIR"), "inv.yaml", 0); err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("held\n")
		time.Sleep(time.Hour)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestReleasedWhenTheHolderDies$")
	cmd.Env = append(os.Environ(), "RUNLOCK_HOLD=1", "RUNLOCK_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := out.Read(buf); err != nil || string(buf) != "held\n" {
		t.Fatalf("holder: %q %v", buf, err)
	}
	if _, err := Acquire(context.Background(), dir, "inv.yaml", 0); !errors.Is(err, ErrBusy) {
		t.Fatalf("while held: %v, want ErrBusy", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	l, err := Acquire(context.Background(), dir, "inv.yaml", 0)
	if err != nil {
		t.Fatalf("after the holder was killed: %v", err)
	}
	l.Release()
}

// TestDeviceLocksAreIndependentOfInventories: a device's lock is one
// whatever inventory names it; other devices are free.
func TestDeviceLocksAreIndependentOfInventories(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	a, err := AcquireDevice(ctx, dir, "switch 192.0.2.11:22", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = AcquireDevice(ctx, dir, "switch 192.0.2.11:22", 50*time.Millisecond)
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "device switch 192.0.2.11:22") {
		t.Fatalf("second holder: %v, want ErrBusy naming the device", err)
	}
	b, err := AcquireDevice(ctx, dir, "switch 192.0.2.12:22", 0)
	if err != nil {
		t.Fatalf("another device: %v", err)
	}
	b.Release()
	a.Release()
}
