package all

import (
	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/eos"
	"github.com/netalign/netalign/switchdrivers/nxos"
	"github.com/netalign/netalign/switchdrivers/openconfig"
)

// Register adds every switch driver to r.
func Register(r *switchdrivers.Registry) {
	eos.Register(r)
	nxos.Register(r)
	openconfig.Register(r)
}
