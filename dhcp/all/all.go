package all

import (
	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/dhcp/dnsmasq"
	"github.com/netalign/netalign/dhcp/embedded"
	"github.com/netalign/netalign/dhcp/kea"
)

// Register adds every driver to r.
func Register(r *dhcp.Registry) {
	kea.Register(r)
	dnsmasq.Register(r)
	embedded.Register(r)
}
