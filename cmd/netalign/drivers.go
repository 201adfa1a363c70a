package main

import (
	"github.com/netalign/netalign/dhcp"
	dhcpall "github.com/netalign/netalign/dhcp/all"
	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
	"github.com/netalign/netalign/switchdrivers"
	swall "github.com/netalign/netalign/switchdrivers/all"
)

// registries returns the driver registries of this build. An error means
// two drivers claim one platform or kind: a defect of the build.
func registries() (*switchdrivers.Registry, *dhcp.Registry, error) {
	sw := switchdrivers.NewRegistry()
	if err := swall.Register(sw); err != nil {
		return nil, nil, err
	}
	dh := dhcp.NewRegistry()
	if err := dhcpall.Register(dh); err != nil {
		return nil, nil, err
	}
	return sw, dh, nil
}

// backends returns the driver registries and the host backend of this build.
func (a *app) backends(allowMgmt bool) (*switchdrivers.Registry, *dhcp.Registry, *hosts, error) {
	sw, dh, err := registries()
	if err != nil {
		return nil, nil, nil, err
	}
	return sw, dh, &hosts{log: a.log, allowMgmt: allowMgmt}, nil
}

// checkOptions are the options of inventory check: the bond-mode table,
// and what the drivers of this build can run and render.
func checkOptions() (inventory.Options, error) {
	sw, dh, err := registries()
	if err != nil {
		return inventory.Options{}, err
	}
	opts := intent.InventoryOptions()
	opts.Switches, opts.DHCP = sw.Inventory(), dh.Inventory()
	return opts, nil
}
