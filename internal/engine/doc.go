// Package engine runs netalign's work across devices: it opens drivers from
// the inventory, observes every device concurrently (bounded, each with its
// own deadline), and applies a plan one transaction per device in phases —
// switches and DHCP servers before hosts — collecting one result per device.
package engine
