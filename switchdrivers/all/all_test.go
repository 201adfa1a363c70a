package all

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/switchdrivers"
)

func TestRegister(t *testing.T) {
	r := switchdrivers.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	want := []string{"eos/ssh", "nxos/ssh", "openconfig/gnmi"}
	if diff := cmp.Diff(want, r.Platforms()); diff != "" {
		t.Errorf("platforms (-want +got):\n%s", diff)
	}
	_, err := r.Open(context.Background(), switchdrivers.Config{Name: "j1", Platform: "junos", Protocol: "ssh"}, nil)
	if !errors.Is(err, switchdrivers.ErrNoDriver) {
		t.Errorf("Open(junos) = %v, want ErrNoDriver", err)
	}
	if err := Register(r); !errors.Is(err, switchdrivers.ErrDuplicate) || !strings.Contains(err.Error(), "eos/ssh") {
		t.Errorf("second Register = %v, want ErrDuplicate naming eos/ssh", err)
	}
	if got := r.Platforms(); len(got) != len(want) {
		t.Errorf("a refused registration changed the registry: %v", got)
	}
}
