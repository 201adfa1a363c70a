// Package remote observes a Linux host read-only over SSH: it runs
// `ip -d -j link show`, `bridge -j vlan show` and reads /proc/net/bonding/*
// (nothing else, never a write), verifies the host key against known_hosts,
// and parses the output with hostnet's pure parsers into the same
// intent.HostState that netlink observation produces.
package remote
