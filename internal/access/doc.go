// Package access is how netalign reaches the Linux machines it talks to
// over SSH (dnsmasq servers, hosts observed remotely): the dial, the
// handshake and every command are bounded by a deadline and closed on
// cancel, and every failure carries a cause.Code with one line a person can
// act on (the host key's fingerprint and how to trust it, the user and
// where the secret came from, never the secret). Switch CLI sessions have
// their own path in switchdrivers/internal/clisession.
package access
