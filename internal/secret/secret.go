// Package secret holds credentials resolved from the references an inventory
// gives (environment variables, files), in a type that never prints itself.
package secret

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

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

// Resolve reads the secrets the references point to. A missing variable or
// unreadable file is an error naming the reference, never the value.
func Resolve(c inventory.Credentials) (Resolved, error) {
	r := Resolved{Username: c.Username, KeyFile: c.SSHKeyFile, Agent: c.SSHAgent}
	if c.UsernameEnv != "" {
		v, ok := os.LookupEnv(c.UsernameEnv)
		if !ok {
			return r, fmt.Errorf("credentials: environment variable %s (usernameEnv) is not set", c.UsernameEnv)
		}
		r.Username = v
	}
	if c.PasswordEnv != "" {
		v, ok := os.LookupEnv(c.PasswordEnv)
		if !ok {
			return r, fmt.Errorf("credentials: environment variable %s (passwordEnv) is not set", c.PasswordEnv)
		}
		r.Password = New(v)
	}
	if c.PasswordFile != "" {
		b, err := os.ReadFile(c.PasswordFile)
		if err != nil {
			return r, fmt.Errorf("credentials: passwordFile: %w", err)
		}
		r.Password = New(strings.TrimRight(string(b), "\r\n"))
	}
	if c.EnablePasswordEnv != "" {
		v, ok := os.LookupEnv(c.EnablePasswordEnv)
		if !ok {
			return r, fmt.Errorf("credentials: environment variable %s (enablePasswordEnv) is not set", c.EnablePasswordEnv)
		}
		r.EnablePassword = New(v)
	}
	return r, nil
}
