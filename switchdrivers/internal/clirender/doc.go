// Package clirender turns typed switch changes into configuration lines for
// the CLI platforms whose interface syntax is the same but for a few
// keywords (EOS and NX-OS): VLAN blocks, trunk settings with incremental
// allowed-VLAN edits, channel-group membership and LAG options. A Dialect
// holds what differs; the vendor packages own their Dialect and anything
// the other platform has no counterpart for (NX-OS's `feature lacp`).
//
// Every name and description that reaches a line is checked first, so
// inventory text can never inject a command.
package clirender
