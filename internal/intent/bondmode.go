package intent

import (
	"github.com/netalign/netalign/inventory"

	"fmt"
	"strconv"
	"strings"
)

// LAGType is the kind of link aggregation a switch needs to face a bond.
type LAGType string

// LAG types.
const (
	// LAGNone: plain trunks, one per NIC.
	LAGNone LAGType = "none"
	// LAGStatic: a port-channel without LACP (channel-group N mode on).
	LAGStatic LAGType = "static"
	// LAGLACP: an LACP port-channel, mode active.
	LAGLACP LAGType = "lacp"
)

// BondMode is a Linux bonding mode, 0-6.
type BondMode int

// The Linux bonding modes.
const (
	BalanceRR    BondMode = 0
	ActiveBackup BondMode = 1
	BalanceXOR   BondMode = 2
	Broadcast    BondMode = 3
	LACP         BondMode = 4
	BalanceTLB   BondMode = 5
	BalanceALB   BondMode = 6
)

// bondModes is THE bond mode -> link aggregation table. Everything that needs
// to know which LAG faces a bond (planner, validator, lab, docs) asks it.
var bondModes = [...]struct {
	mode    BondMode
	name    string // kernel name
	aliases []string
	lag     LAGType
	// arp: the kernel has ARP link monitoring in this mode; not in
	// 802.3ad, balance-tlb and balance-alb (BOND_NO_USES_ARP in
	// include/net/bonding.h; the kernel refuses arp_interval there).
	arp bool
}{
	{BalanceRR, "balance-rr", []string{"round-robin", "rr"}, LAGStatic, true},
	{ActiveBackup, "active-backup", []string{"failover", "ab"}, LAGNone, true},
	{BalanceXOR, "balance-xor", []string{"xor"}, LAGStatic, true},
	{Broadcast, "broadcast", nil, LAGStatic, true},
	{LACP, "802.3ad", []string{"lacp", "8023ad", "802.3ad-lacp"}, LAGLACP, false},
	{BalanceTLB, "balance-tlb", []string{"tlb"}, LAGNone, false},
	{BalanceALB, "balance-alb", []string{"alb"}, LAGNone, false},
}

// ParseBondMode accepts a mode number, its kernel name or a usual alias.
// The empty string is active-backup, Harvester's default.
func ParseBondMode(s string) (BondMode, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == "" {
		return ActiveBackup, nil
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n >= 0 && n < len(bondModes) {
			return BondMode(n), nil
		}
	}
	for _, m := range bondModes {
		if v == m.name {
			return m.mode, nil
		}
		for _, a := range m.aliases {
			if v == a {
				return m.mode, nil
			}
		}
	}
	return 0, fmt.Errorf("unknown bond mode %q; valid: %s", s, ValidBondModes())
}

// ParseBondModeNumber is ParseBondMode for callers that only need the number
// (the inventory validator).
func ParseBondModeNumber(s string) (int, error) {
	m, err := ParseBondMode(s)
	return int(m), err
}

// ValidBondModes lists every accepted spelling, for error messages.
func ValidBondModes() string {
	var parts []string
	for _, m := range bondModes {
		p := fmt.Sprintf("%d|%s", m.mode, m.name)
		for _, a := range m.aliases {
			p += "|" + a
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

// String returns the kernel name of the mode.
func (m BondMode) String() string {
	if m >= 0 && int(m) < len(bondModes) {
		return bondModes[m].name
	}
	return "mode-" + strconv.Itoa(int(m))
}

// LAG returns the link aggregation a switch needs to face a bond in mode m.
func (m BondMode) LAG() LAGType {
	if m >= 0 && int(m) < len(bondModes) {
		return bondModes[m].lag
	}
	return LAGNone
}

// ARPMonitoring reports whether the kernel has ARP link monitoring
// (arp_interval, arp_ip_target) in mode m.
func (m BondMode) ARPMonitoring() bool {
	return m >= 0 && int(m) < len(bondModes) && bondModes[m].arp
}

// BondModeRow is one row of the table, for documentation output.
type BondModeRow struct {
	Mode    BondMode
	Name    string
	Aliases []string
	LAG     LAGType
}

// BondModeTable returns a copy of the table, for docs and help text.
func BondModeTable() []BondModeRow {
	rows := make([]BondModeRow, 0, len(bondModes))
	for _, m := range bondModes {
		rows = append(rows, BondModeRow{m.mode, m.name, append([]string(nil), m.aliases...), m.lag})
	}
	return rows
}

// InventoryOptions are the inventory loading options that need the bond
// mode table: how to parse a mode, which modes need a LAG (a bond whose
// switch side is a LAG must stay on one switch or one MLAG pair), and which
// have ARP monitoring.
func InventoryOptions() inventory.Options {
	return inventory.Options{
		ParseBondMode:         ParseBondModeNumber,
		BondModeNeedsLAG:      func(m int) bool { return BondMode(m).LAG() != LAGNone },
		BondModeARPMonitoring: func(m int) bool { return BondMode(m).ARPMonitoring() },
	}
}
