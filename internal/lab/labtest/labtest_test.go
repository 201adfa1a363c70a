package labtest

import (
	"os"
	"strings"
	"testing"

	"github.com/netalign/netalign/internal/lab"
)

func TestStart(t *testing.T) {
	l := Start(t, lab.FleetInventory(2, 4), lab.Options{})
	if got := os.Getenv(lab.DefaultPasswordEnv); got != lab.DefaultPassword {
		t.Errorf("password env %q", got)
	}
	var b strings.Builder
	if err := lab.WriteTable(&b, l.Switches()); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "SWITCH  PLATFORM  PROTOCOL  ADDRESS") || strings.Count(b.String(), "\n") != 3 || !strings.Contains(b.String(), "sw0002  eos       ssh       127.0.0.1:") {
		t.Errorf("table:\n%s", b.String())
	}
}
