// Package dnsmasq keeps netalign's VLAN pools in one file of dnsmasq's
// conf-dir (for example /etc/dnsmasq.d/netalign.conf), on the local machine
// or over SSH. The file is written whole: rendered, checked with
// `dnsmasq --test`, then renamed over the old one (so dnsmasq never reads a
// half-written or invalid file), and dnsmasq is restarted with the configured
// command — dhcp-range changes need a restart, SIGHUP does not reload them.
package dnsmasq
