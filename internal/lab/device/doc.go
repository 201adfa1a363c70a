// Package device is the model of one simulated switch of the lab: its
// physical ports and what is cabled to them, its running configuration
// (VLANs, switchports, port-channels, MLAG/vPC ids) and the operational state
// derived from both — link state, LACP member state and LLDP neighbours —
// computed the way a real switch facing real Linux bonds would show it.
//
// Every frontend of the lab (the EOS and NX-OS SSH dialects, the gNMI target)
// shares one Device per switch, so a change made over one protocol shows up
// in the others. Configuration changes go through Device.Update, which runs
// on a clone and swaps it in only on success: that is what makes a CLI
// configuration session commit or a gNMI Set atomic.
//
// The package also holds the per-device fault injection settings (latency,
// dropped connections, rejected commits, authentication failures, a device
// that never answers, slow accepts) and the drift helpers tests and the demo
// use to break a switch on purpose.
package device
