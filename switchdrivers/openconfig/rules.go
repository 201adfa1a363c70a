package openconfig

import (
	"fmt"

	"github.com/netalign/netalign/internal/intent"
)

// checkPort refuses, for inventory check (switchdrivers.Rules.Port), a host
// NIC cabled to a name BuildSetRequest takes for a port-channel: the member
// would have to join a LAG, which it refuses. Other names are the device's
// own and pass as they are.
func checkPort(name string) error {
	if intent.LAGID(name) > 0 {
		return fmt.Errorf("%q names a port-channel; a NIC is cabled to a physical port", name)
	}
	return nil
}
