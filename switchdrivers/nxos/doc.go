// Package nxos is the Cisco NX-OS driver: it observes a switch over SSH
// (scrapligo's cisco_nxos platform) with `| json` show commands where NX-OS
// has them and real captured output exists, and text where it does not
// (`show interface switchport`, `show lldp neighbors detail`); it renders
// typed changes to NX-OS CLI lines and applies them in one configuration
// session (Session Manager: `configure session`, the lines staged in one
// write, `verify`, `commit`, `abort` on any failure), so that a failed,
// killed or disconnected apply leaves nothing live, and a rollback never
// restores over changes netalign did not make. Where the device has no
// configuration sessions it falls back to a named checkpoint and, on
// failure, `rollback running-config checkpoint`, and says so.
//
// Every apply first removes what earlier ones left: configuration sessions
// and checkpoints named exactly as netalign names them (netalign-<8 hex
// digits>), nothing else; ApplyResult.Cleaned lists them. An apply after an
// Observe commits only if the running configuration is still the one
// observed (CONCURRENT_CHANGE otherwise).
//
// Cisco's configuration guides say Session Manager supports ACL (and, on
// Nexus 9000, QoS) configuration; the lab's NX-OS dialect stages every
// command it knows. On a release whose sessions refuse VLAN or interface
// commands, applies fail with the refused line and change nothing.
//
// NX-OS JSON wraps every table as {"TABLE_x": {"ROW_x": ...}} where ROW_x
// is an object for one row and an array for several; Rows handles both.
package nxos
