package all

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/switchdrivers"
)

func TestRegister(t *testing.T) {
	r := switchdrivers.NewRegistry()
	Register(r)
	want := []string{"eos/ssh", "nxos/ssh", "openconfig/gnmi"}
	if diff := cmp.Diff(want, r.Platforms()); diff != "" {
		t.Errorf("platforms (-want +got):\n%s", diff)
	}
	_, err := r.Open(context.Background(), switchdrivers.Config{Name: "j1", Platform: "junos", Protocol: "ssh"}, nil)
	if !errors.Is(err, switchdrivers.ErrNoDriver) {
		t.Errorf("Open(junos) = %v, want ErrNoDriver", err)
	}
}
