package drivertest

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
