package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netalign/netalign/inventory"
)

func TestSecretNeverPrints(t *testing.T) {
	s := New("hunter2")
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "password", s, "struct", struct{ P Secret }{s})
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "password", s)
	fmt.Fprintf(&buf, "%v %+v %#v %s %q", s, s, s, s, s)
	j, _ := json.Marshal(struct{ P Secret }{s})
	buf.Write(j)
	if strings.Contains(buf.String(), "hunter2") {
		t.Fatalf("secret printed: %s", buf.String())
	}
	if s.Reveal() != "hunter2" {
		t.Fatal("Reveal")
	}
}

func TestResolve(t *testing.T) {
	t.Setenv("SECRET_TEST_USER", "ops")
	t.Setenv("SECRET_TEST_PASS", "pw-from-env")
	file := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(file, []byte("pw-from-file\n"), 0o600)
	r, err := Resolve(inventory.Credentials{UsernameEnv: "SECRET_TEST_USER", PasswordEnv: "SECRET_TEST_PASS"})
	if err != nil || r.Username != "ops" || r.Password.Reveal() != "pw-from-env" {
		t.Errorf("env: %+v %v", r, err)
	}
	r, err = Resolve(inventory.Credentials{Username: "ops", PasswordFile: file})
	if err != nil || r.Password.Reveal() != "pw-from-file" {
		t.Errorf("file: %v", err)
	}
	_, err = Resolve(inventory.Credentials{PasswordEnv: "SECRET_TEST_MISSING"})
	if err == nil || !strings.Contains(err.Error(), "SECRET_TEST_MISSING") {
		t.Errorf("missing variable: %v", err)
	}
}
