// Package validate checks the observed state of hosts, switches and DHCP
// servers against the desired state and across layers (bond mode vs LAG
// type, VLANs, native VLAN, MTU, LACP bundling, LLDP cabling, DHCP pools),
// returning findings with stable codes, and renders them as a table, JSON or
// JUnit XML. Check is pure.
package validate
