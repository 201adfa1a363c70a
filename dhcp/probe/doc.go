// Package probe is the live DHCP check used by `netalign validate
// --probe-dhcp`: it asks a DHCP server for an address, as a client on an
// interface or as a relay agent, and compares the answer with the pool the
// inventory expects.
//
// Two modes:
//
//   - Interface mode (Options.Interface): a broadcast DISCOVER from an
//     unconfigured interface (a VLAN sub-interface or an access port) through
//     nclient4's raw socket, as a booting VM sends it. Needs CAP_NET_RAW.
//   - Relay mode (Options.Relay): a unicast DISCOVER with giaddr set, sent to
//     the server from a UDP socket bound to the relay address and port (67 by
//     default, as a relay agent does), the reply arriving on that socket. It
//     needs no raw socket and works on loopback; binding port 67 needs
//     CAP_NET_BIND_SERVICE.
//
// A probe that ran returns a Result whose Findings say what is wrong
// (DHCP_NO_OFFER, DHCP_WRONG_SUBNET, DHCP_POOL_MISMATCH); an error means the
// probe could not run at all.
package probe
