// Package nxos is the Cisco NX-OS driver: it observes a switch over SSH
// (scrapligo's cisco_nxos platform) with `| json` show commands where NX-OS
// has them and real captured output exists, and text where it does not
// (`show interface switchport`, `show lldp neighbors detail`); it renders
// typed changes to NX-OS CLI lines and applies them between a named
// checkpoint and, on any failure, `rollback running-config checkpoint`, so a
// failed apply leaves the device as it was.
//
// NX-OS JSON wraps every table as {"TABLE_x": {"ROW_x": ...}} where ROW_x
// is an object for one row and an array for several; Rows handles both.
package nxos
