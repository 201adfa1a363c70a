package all

import (
	"errors"

	"github.com/netalign/netalign/switchdrivers"
	"github.com/netalign/netalign/switchdrivers/eos"
	"github.com/netalign/netalign/switchdrivers/nxos"
	"github.com/netalign/netalign/switchdrivers/openconfig"
)

// Register adds every switch driver to r; it fails when one of them is
// there already.
func Register(r *switchdrivers.Registry) error {
	return errors.Join(
		eos.Register(r),
		nxos.Register(r),
		openconfig.Register(r),
	)
}
