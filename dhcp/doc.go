// Package dhcp defines the Server interface of DHCP server drivers and their
// Registry. Sub-packages: kea (Control Agent API), dnsmasq (an owned conf-dir
// file), embedded (netalign's own server) and probe (the live DHCP check).
package dhcp
