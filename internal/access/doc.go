// Package access is how netalign reaches machines over SSH: dnsmasq
// servers, hosts observed remotely, and, under scrapligo, switch CLIs
// (switchdrivers/internal/clisession opens its shell on a Client). It owns
// the dial and the handshake, bounded by a deadline and closed on cancel;
// authentication from resolved credentials (key file, ssh-agent, password
// and keyboard-interactive); host keys verified against known_hosts,
// negotiating the key types the file records for the host; and the cause
// of every failure: a cause.Code with one line a person can act on (the
// host key's fingerprint and how to trust it, the user and where the
// secret came from, never the secret).
package access
