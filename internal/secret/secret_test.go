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

	"github.com/netalign/netalign/internal/cause"
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
}

func TestResolveMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none")
	for _, tt := range []struct {
		creds inventory.Credentials
		want  []string
	}{
		{inventory.Credentials{PasswordEnv: "SECRET_TEST_MISSING"}, []string{"SECRET_TEST_MISSING", "passwordEnv"}},
		{inventory.Credentials{UsernameEnv: "SECRET_TEST_NO_USER"}, []string{"SECRET_TEST_NO_USER", "usernameEnv"}},
		{inventory.Credentials{Username: "u", PasswordFile: missing}, []string{missing, "passwordFile", "no such file"}},
	} {
		_, err := Resolve(tt.creds)
		if c := cause.Of(err); c != cause.CredentialsMissing {
			t.Errorf("Resolve(%+v) = %v (%s), want %s", tt.creds, err, c, cause.CredentialsMissing)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("message %q does not name %q", err, w)
			}
		}
	}
}

func TestSource(t *testing.T) {
	for _, tt := range []struct {
		creds inventory.Credentials
		want  string
	}{
		{inventory.Credentials{PasswordEnv: "SW_PASS"}, "password from $SW_PASS (passwordEnv)"},
		{inventory.Credentials{PasswordFile: "./pw", SSHKeyFile: "~/.ssh/id", SSHAgent: true}, "password from ./pw (passwordFile), key ~/.ssh/id (sshKeyFile), ssh-agent keys (sshAgent)"},
		{inventory.Credentials{Username: "u"}, "no secret configured"},
	} {
		if got := Source(tt.creds); got != tt.want {
			t.Errorf("Source(%+v) = %q, want %q", tt.creds, got, tt.want)
		}
	}
}
