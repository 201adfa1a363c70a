// Package sshcli is the SSH frontend of the lab's simulated switches: an
// Arista EOS and a Cisco NX-OS command-line dialect served with
// golang.org/x/crypto/ssh over the shared device model.
//
// The dialects are faithful where drivers and automation tools look: the
// prompts (leaf1>, leaf1#, leaf1(config-if-Et1)#, leaf1(config-s-ansibl)#,
// leaf2(config-if)#), per-character echo, `terminal length 0` / `terminal
// width N`, `enable` with a secondary password, the devices' error strings
// (`% Invalid input (at token N: 'x')`, `% Incomplete command`, NX-OS's
// caret and `% Invalid command at '^' marker.`), EOS configuration sessions
// (`configure session`, `show session-config diffs` as a unified diff,
// `commit`, `abort`), NX-OS configuration sessions (`configure session`,
// staged lines, `verify`, `commit`, `abort`, `show configuration session
// summary`; Options.NoConfigSessions for releases without them), NX-OS
// checkpoints and rollback, `show ... | json` in the
// JSON shapes real devices print, and `show running-config` in each
// platform's text form. A command line ends with CR, LF or CR LF, and the
// reply (newline, output, next prompt) is written in one piece, which is
// what scrapligo and Ansible's network_cli both expect.
package sshcli
