// Package gnmi is the gNMI frontend of the lab: a gRPC target serving
// Capabilities, Get and Set over TLS on the OpenConfig paths netalign's
// openconfig driver uses, backed by the shared device model so that a change
// made over gNMI shows up in the SSH dialects' show output and vice versa.
//
// The target keeps a small schema of the OpenConfig nodes it serves
// (interfaces with ethernet, aggregation and switched-vlan, network-instance
// VLANs, LACP and LLDP). Get renders the device's running configuration and
// derived state into that tree and answers any prefix of it in JSON_IETF,
// module-qualified as RFC 7951 asks. Set renders the configuration part of
// the tree, applies the request's deletes, replaces and updates to it in
// that order, and maps the result back onto the device inside one
// device.Commit: an unknown path, a read-only node or an invalid value fails
// the whole request with codes.InvalidArgument naming the path, and nothing
// changes.
//
// Authentication is the username/password gRPC metadata gNMI clients send.
// TLS uses a lab CA kept in the lab directory (ca.pem, for clients) and one
// server certificate for 127.0.0.1 and localhost.
//
// Known simplifications: Subscribe is not served; LLDP and LACP member state
// are read-only; the target's interface names are the model's canonical
// names (Ethernet1, Port-Channel10).
package gnmi
