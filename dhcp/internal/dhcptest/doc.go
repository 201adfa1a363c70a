// Package dhcptest is the shared harness of the tests and benchmarks that run
// real DHCP servers: prerequisite checks (skip, or fail under
// NETALIGN_REQUIRE_PREREQS=1), network namespaces joined by a veth pair,
// kea-dhcp4 + kea-ctrl-agent and dnsmasq started in them with hand-written
// configurations, a relay-mode DISCOVER sent the way a relay agent sends it
// (unicast from giaddr:67), netalign's probe run from a namespace, and
// perfdhcp as the common load generator.
package dhcptest
