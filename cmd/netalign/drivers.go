package main

import (
	"github.com/netalign/netalign/dhcp"
	"github.com/netalign/netalign/internal/engine"
	"github.com/netalign/netalign/switchdrivers"
)

// backends returns the driver registries and the host backend of this build.
func (a *app) backends() (*switchdrivers.Registry, *dhcp.Registry, engine.HostBackend) {
	sw := switchdrivers.NewRegistry()
	dh := dhcp.NewRegistry()
	return sw, dh, nil
}
