// Package ifstate assembles the vendor-neutral interface state the CLI
// parsers (eos, nxos) build from several show commands: one entry per
// Ethernet port and port-channel, by canonical name; the LAG configuration
// read from the running-config; configured LAG membership; and the sorted
// result. What each platform's commands say, and how, stays in the vendor
// package.
package ifstate
