package embedded

import (
	"fmt"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/inventory"
)

// ConfigFor builds the Config of `netalign dhcp serve` for an inventory
// entry of kind embedded and the pools the inventory gives it:
//   - LeaseFile is the entry's leaseFile (required);
//   - PoolsFile is PoolsPath(entry);
//   - Endpoint, when set, is the server's unicast address, "ADDR" or
//     "ADDR:PORT" (port 67 by default): it becomes ListenAddr (relayed
//     requests and unicast renewals) and ServerID (the identifier of relayed
//     pools);
//   - the interfaces listened on are those of the pools.
func ConfigFor(srv inventory.DHCPServer, pools []intent.Pool) (Config, error) {
	if srv.LeaseFile == "" {
		return Config{}, fmt.Errorf("%s: embedded server needs leaseFile", srv.Name)
	}
	path, err := PoolsPath(srv)
	if err != nil {
		return Config{}, err
	}
	cfg := Config{Pools: pools, LeaseFile: srv.LeaseFile, PoolsFile: path}
	ap, err := Endpoint(srv)
	if err != nil {
		return Config{}, err
	}
	if ap.IsValid() {
		cfg.ListenAddr, cfg.ServerID = ap, ap.Addr()
	}
	return cfg, nil
}
