// Package lab runs netalign's simulated lab: one simulated switch per
// inventory switch (EOS and NX-OS over SSH from package sshcli, OpenConfig
// over gNMI through a hook), all sharing the device model of package
// device, wired to the hosts the inventory cables to them so that LACP and
// LLDP look as they would on real hardware.
//
// Start writes into the lab directory an inventory that points netalign at
// the simulated switches (loopback addresses, ephemeral ports), their
// known_hosts file and lab.env with the credentials to export; Close stops
// everything. A control socket in the directory lets another process inject
// drift or stop the lab (Drift, Down). StartFleet starts N synthetic
// switches for benchmarks.
package lab
