// Package kea drives an ISC Kea DHCPv4 server through its Control Agent REST
// API, as Kea 2.2 (Debian 12) offers it: without the subnet_cmds hook, so a
// change is a whole-configuration transaction — config-get, rewrite only the
// subnet4 entries netalign owns, config-test, config-set, config-write.
//
// A subnet is netalign's when its user-context holds {"netalign": {...}};
// its id is the VLAN id, so leases keep their subnet across rewrites. Every
// other subnet and setting is carried through unchanged in meaning (decoded
// as raw JSON, never re-modelled).
//
// Every exchange is bounded (connect, TLS handshake, response headers, and
// the ctx deadline) and its failure carries a cause.Code. Basic-auth
// credentials never go over plain http:// to another machine unless the
// inventory sets insecure: true on the server (Server.Insecure then reports
// it).
package kea
