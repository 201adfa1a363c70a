// Package clisession is the SSH CLI session the EOS and NX-OS drivers share:
// a scrapligo network driver over the standard (crypto/ssh) transport with
// host keys verified against known_hosts, timeouts derived from the caller's
// context, the session torn down when the context is cancelled, and every
// device reply checked for the platform's error strings.
package clisession
