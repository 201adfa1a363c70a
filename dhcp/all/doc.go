// Package all registers every DHCP server driver. The list is explicit: a
// driver exists for netalign when it is named here.
package all
