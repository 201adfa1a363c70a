package labtest

import (
	"context"
	"testing"

	"github.com/netalign/netalign/internal/lab"
	"github.com/netalign/netalign/inventory"
)

// Start starts a lab for inv in a temporary directory (unless opts.Dir is
// set), sets the credential variables the generated inventory refers to
// (so drivers resolve them; the test must not be parallel) and closes the
// lab at cleanup. lab.Inventory() and lab.InventoryPath() point at it.
func Start(tb testing.TB, inv *inventory.Inventory, opts lab.Options) *lab.Lab {
	tb.Helper()
	if opts.Dir == "" {
		opts.Dir = tb.TempDir()
	}
	if opts.Username == "" {
		opts.Username = lab.DefaultUsername
	}
	if opts.Password == "" {
		opts.Password = lab.DefaultPassword
	}
	l, err := lab.Start(context.Background(), inv, opts)
	if err != nil {
		tb.Fatalf("start lab: %v", err)
	}
	tb.Cleanup(func() { l.Close() })
	userEnv, passEnv := opts.UsernameEnv, opts.PasswordEnv
	if userEnv == "" {
		userEnv = lab.DefaultUsernameEnv
	}
	if passEnv == "" {
		passEnv = lab.DefaultPasswordEnv
	}
	tb.Setenv(userEnv, opts.Username)
	tb.Setenv(passEnv, opts.Password)
	if opts.EnableSecret != "" && opts.EnablePasswordEnv != "" {
		tb.Setenv(opts.EnablePasswordEnv, opts.EnableSecret)
	}
	return l
}
