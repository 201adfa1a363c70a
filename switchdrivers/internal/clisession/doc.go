// Package clisession is the SSH CLI session the EOS and NX-OS drivers share:
// a scrapligo network driver over the standard (crypto/ssh) transport (or,
// for ssh-agent keys, the same over a small transport that adds the agent),
// host keys verified against known_hosts, timeouts derived from the caller's
// context, the session torn down when the context is cancelled, and every
// device reply checked for the platform's error strings — scrapligo reports
// a refused command with a nil error.
//
// SendBatch writes a block of configuration lines at once and splits the
// transcript at the device's own prompts (hostname-anchored), so a block
// costs one round trip and each line's reply is still checked.
package clisession
