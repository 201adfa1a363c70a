package all

import (
	"errors"

	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/dhcp/dnsmasq"
	"github.com/netalign/netalign/dhcp/embedded"
	"github.com/netalign/netalign/dhcp/kea"
)

// Register adds every driver to r; it fails when one of them is there
// already.
func Register(r *dhcp.Registry) error {
	return errors.Join(
		kea.Register(r),
		dnsmasq.Register(r),
		embedded.Register(r),
	)
}
