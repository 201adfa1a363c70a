// Package intent is netalign's pure core vocabulary: the bond mode -> link
// aggregation table, the vendor-neutral observed state of switches, hosts and
// DHCP servers (which is also the snapshot format), the desired state derived
// from an inventory, and the typed changes a plan is made of. It does no I/O.
package intent
