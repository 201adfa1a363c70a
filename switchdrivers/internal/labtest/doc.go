// Package labtest starts simulated switches of internal/lab for the driver
// tests: a device model behind the SSH CLI frontend on a loopback port, with
// a known_hosts file, and the switchdrivers.Config that reaches it.
package labtest
