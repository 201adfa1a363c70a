package drivertest

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/internal/labtest"
)

// Platform describes one CLI driver to the shared tests.
type Platform struct {
	// Name is the platform of the driver and of the lab device
	// (device.PlatformEOS, device.PlatformNXOS).
	Name string
	// Scrapli is scrapligo's platform name, for the tests' own sessions.
	Scrapli string
	// Abbrev is the short form of "Ethernet" operators write (Et, Eth);
	// the renderer must accept it.
	Abbrev string
	// Open and Render are the driver's.
	Open   func(context.Context, switchdrivers.Config, *slog.Logger) (switchdrivers.Driver, error)
	Render func([]intent.SwitchChange) ([]string, error)
	// ApplyRoundTrips is how many round trips an apply of n lines takes,
	// saving included.
	ApplyRoundTrips func(lines int) int
	// SetupRoundTrips is how many round trips an apply makes before it
	// sends configuration lines.
	SetupRoundTrips int
	// ShowPending lists what an apply leaves on the device until it ends
	// (EOS and NX-OS configuration sessions).
	ShowPending string
	// EnableMLAG configures what the operator owns before netalign may put
	// port-channels in MLAG (NX-OS: feature vpc); nil when nothing is
	// needed.
	EnableMLAG func(*device.Config)
}

// Port is the n-th port of the platform's lab switch, canonical.
func (p Platform) Port(n int) string { return labtest.PortName(p.Name, n) }

// ShortPort is the n-th port as operators abbreviate it (Et1, Eth1/1).
func (p Platform) ShortPort(n int) string {
	return p.Abbrev + strings.TrimPrefix(p.Port(n), "Ethernet")
}

// ReadFixture returns testdata/name of the package under test.
func ReadFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Interface returns interface name of st, failing t when it is missing.
func Interface(t testing.TB, st *intent.SwitchState, name string) intent.Interface {
	t.Helper()
	i := st.Interface(name)
	if i == nil {
		t.Fatalf("interface %s missing", name)
	}
	return *i
}

// WantVLANs fails t unless st's VLAN ids are exactly want, a
// space-separated list of VLAN lists ("1 10-15 100").
func WantVLANs(t testing.TB, st *intent.SwitchState, want string) {
	t.Helper()
	var ids intent.VLANSet
	for _, f := range strings.Fields(want) {
		s, err := intent.ParseVLANSet(f)
		if err != nil {
			t.Fatal(err)
		}
		ids = ids.Union(s)
	}
	var got []int
	for _, v := range st.VLANs {
		got = append(got, v.ID)
	}
	if diff := cmp.Diff([]int(ids), got); diff != "" {
		t.Errorf("VLAN ids (-want +got):\n%s", diff)
	}
}

// WantNames fails t unless st's interfaces are exactly want, in order.
func WantNames(t testing.TB, st *intent.SwitchState, want string) {
	t.Helper()
	var got []string
	for _, i := range st.Interfaces {
		got = append(got, i.Name)
	}
	if diff := cmp.Diff(strings.Fields(want), got); diff != "" {
		t.Errorf("interfaces (-want +got):\n%s", diff)
	}
}

// Capture is one real capture in testdata and what its command's parser
// must read from it: Outputs builds the parser's input, Check the state.
type Capture[O any] struct {
	File    string
	Outputs func() O
	Check   func(t *testing.T, st *intent.SwitchState)
}

// RunCaptures builds the state of every capture with build and checks it:
// no record of a real capture may be left out (SwitchState.Partial), and a
// file of testdata whose name starts with one of commands (the capture of
// a command, named as in the shared collection) must be listed.
func RunCaptures[O any](t *testing.T, build func(name string, o O) (*intent.SwitchState, error), captures []Capture[O], commands ...string) {
	t.Helper()
	listed := map[string]bool{}
	for _, c := range captures {
		listed[c.File] = true
		t.Run(c.File, func(t *testing.T) {
			st, err := build("s", c.Outputs())
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Partial) != 0 {
				t.Errorf("records left out of a real capture: %v", st.Partial)
			}
			c.Check(t, st)
		})
	}
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		for _, cmd := range commands {
			if strings.HasPrefix(e.Name(), cmd) && !listed[e.Name()] {
				t.Errorf("testdata/%s is not read by the captures test", e.Name())
			}
		}
	}
}
