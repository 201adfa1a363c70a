// Package secret holds credentials resolved from the references an inventory
// gives (environment variables, files), in a type that never prints itself.
package secret

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/netalign/netalign/internal/cause"
	"github.com/netalign/netalign/inventory"
)

// Secret is a credential. It redacts itself in fmt, slog and JSON; only
// Reveal returns the value.
type Secret struct{ v string }

// New wraps a value.
func New(v string) Secret { return Secret{v} }

// Reveal returns the secret value, for the one call that needs it.
func (s Secret) Reveal() string { return s.v }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.v == "" }

// String redacts.
func (s Secret) String() string { return "[REDACTED]" }

// GoString redacts.
func (s Secret) GoString() string { return "[REDACTED]" }

// LogValue redacts in slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue("[REDACTED]") }

// MarshalJSON redacts.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"[REDACTED]"`), nil }

// Resolved are credentials with their secrets read.
type Resolved struct {
	Username       string
	Password       Secret
	EnablePassword Secret
	KeyFile        string
	Agent          bool
}

// Resolve reads the secrets the references point to. An unset variable or
// an unreadable file is a *cause.Error (CREDENTIALS_MISSING) naming the
// reference and its field, never the value.
func Resolve(c inventory.Credentials) (Resolved, error) {
	r := Resolved{Username: c.Username, KeyFile: c.SSHKeyFile, Agent: c.SSHAgent}
	env := func(field, name string) (string, error) {
		v, ok := os.LookupEnv(name)
		if !ok {
			return "", cause.New(cause.CredentialsMissing, "environment variable %s (credentials.%s) is not set", name, field)
		}
		return v, nil
	}
	if c.UsernameEnv != "" {
		v, err := env("usernameEnv", c.UsernameEnv)
		if err != nil {
			return r, err
		}
		r.Username = v
	}
	if c.PasswordEnv != "" {
		v, err := env("passwordEnv", c.PasswordEnv)
		if err != nil {
			return r, err
		}
		r.Password = New(v)
	}
	if c.PasswordFile != "" {
		b, err := os.ReadFile(c.PasswordFile)
		if err != nil {
			return r, cause.Wrap(cause.CredentialsMissing, err, "cannot read %s (credentials.passwordFile): %s", c.PasswordFile, pathReason(err))
		}
		r.Password = New(strings.TrimRight(string(b), "\r\n"))
	}
	if c.EnablePasswordEnv != "" {
		v, err := env("enablePasswordEnv", c.EnablePasswordEnv)
		if err != nil {
			return r, err
		}
		r.EnablePassword = New(v)
	}
	return r, nil
}

// Source says where the secrets of c come from, for messages such as
// "authentication failed for user ops (password from $SW_PASS
// (passwordEnv))". It names variables and files, never values.
func Source(c inventory.Credentials) string {
	var parts []string
	switch {
	case c.PasswordEnv != "":
		parts = append(parts, "password from $"+c.PasswordEnv+" (passwordEnv)")
	case c.PasswordFile != "":
		parts = append(parts, "password from "+c.PasswordFile+" (passwordFile)")
	}
	if c.SSHKeyFile != "" {
		parts = append(parts, "key "+c.SSHKeyFile+" (sshKeyFile)")
	}
	if c.SSHAgent {
		parts = append(parts, "ssh-agent keys (sshAgent)")
	}
	if len(parts) == 0 {
		return "no secret configured"
	}
	return strings.Join(parts, ", ")
}

// pathReason is a file error without its operation and path, which the
// message names already ("no such file or directory").
func pathReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
