// Package clisession is the SSH CLI session the EOS and NX-OS drivers share:
// a scrapligo network driver over its own crypto/ssh transport (every step of
// the connection under a deadline and closed on cancel; password,
// keyboard-interactive, key file and ssh-agent authentication), host keys
// verified against known_hosts, timeouts derived from the caller's context,
// the session torn down when the context is cancelled, and every device
// reply checked for the platform's error strings — scrapligo reports a
// refused command with a nil error. Failures to connect, log in or talk to
// the device are *cause.Error: the cause (TIMEOUT, AUTH_FAILED,
// HOST_KEY_UNKNOWN, PLATFORM_MISMATCH...) and one line saying what to do.
//
// SendBatch writes a block of configuration lines at once and splits the
// transcript at the device's own prompts (hostname-anchored), so a block
// costs one round trip and each line's reply is still checked.
//
// Conn is what a driver holds: the session, reopened when a cancellation or
// a dropped connection broke it, behind a lock, and the frames every CLI
// driver observes and applies in (errors named "observe|apply: ...", never
// the device, which the engine names; nothing sent for an empty change
// list; commands counted across reconnections). The vendor transaction (EOS configuration sessions, NX-OS
// configuration sessions or checkpoints) is the driver's own.
package clisession
