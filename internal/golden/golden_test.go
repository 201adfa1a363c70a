package golden

import (
	"os"
	"path/filepath"
	"testing"
)

type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Fatal(...any)          { r.failed = true }

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.golden")
	r := &recorder{TB: t}
	Check(r, path, []byte("a\n"), true)
	if r.failed {
		t.Fatal("update failed")
	}
	if b, _ := os.ReadFile(path); string(b) != "a\n" {
		t.Fatalf("written %q", b)
	}
	Check(r, path, []byte("a\n"), false)
	if r.failed {
		t.Error("same content reported as different")
	}
	Check(r, path, []byte("b\n"), false)
	if !r.failed {
		t.Error("different content not reported")
	}
}
