// Package openconfig is the switch driver for devices managed over gNMI with
// the OpenConfig models (openconfig-interfaces, -if-ethernet, -if-aggregate,
// -vlan, -lacp, -lldp, -network-instance).
//
// Observe is one Get of the interface, VLAN, LACP and LLDP subtrees in
// JSON_IETF, decoded with small hand-written structs (no generated ygot
// packages, to keep the binary lean). Apply translates the typed changes into
// ONE SetRequest, which gNMI defines as a transaction: the target applies all
// of its deletes, replaces and updates or none of them.
//
// Open waits for the connection to be ready (TCP, TLS with the driver's own
// configuration, HTTP/2) within the timeout, and every RPC runs under a
// deadline. Failures carry a cause.Code: UNREACHABLE, TIMEOUT,
// TLS_VERIFY_FAILED (naming the CA file and server name), AUTH_FAILED
// (naming the user and where the password came from), PLATFORM_MISMATCH
// (a required model or JSON_IETF missing).
//
// OpenConfig has a few gaps a driver must be honest about:
//   - There is no standard MLAG leaf, so a change that carries an MLAG id is
//     refused with ErrUnsupported rather than silently dropped.
//   - A leaf-list (trunk-vlans) is one value in gNMI: an update replaces the
//     whole list. Incremental VLAN add/remove is therefore computed against
//     the list read just before the Set; a change made by someone else
//     between that Get and the Set would be overwritten.
//   - An absent trunk-vlans on a trunk means all VLANs, as the
//     openconfig-vlan model describes it; an empty allowed list cannot be
//     written and is refused.
//   - gNMI has no "save configuration" operation: ApplyResult.Saved stays
//     false and persistence is the target's own business.
//   - The LAG type, LACP mode and LACP interval live on the LAG (aggregation
//     and /lacp), not on the members: a member's channel mode is translated
//     into its LAG's settings, and members joining one LAG must agree.
package openconfig
