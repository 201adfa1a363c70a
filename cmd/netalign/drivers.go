package main

import (
	"github.com/netalign/netalign/dhcp"
	dhcpall "github.com/netalign/netalign/dhcp/all"
	"github.com/netalign/netalign/switchdrivers"
	swall "github.com/netalign/netalign/switchdrivers/all"
)

// backends returns the driver registries and the host backend of this build.
func (a *app) backends(allowMgmt bool) (*switchdrivers.Registry, *dhcp.Registry, *hosts) {
	sw := switchdrivers.NewRegistry()
	swall.Register(sw)
	dh := dhcp.NewRegistry()
	dhcpall.Register(dh)
	return sw, dh, &hosts{log: a.log, allowMgmt: allowMgmt}
}
