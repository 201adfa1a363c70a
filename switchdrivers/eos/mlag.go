package eos

import (
	"fmt"
	"strings"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/switchdrivers/internal/norm"
)

// CmdShowMLAG reads the MLAG peering. `show mlag detail` is `show mlag`
// plus a detail block whose udpHeartbeatAlive says whether the peer's
// heartbeats arrive; ParseMLAG reads either.
const CmdShowMLAG = "show mlag detail | json"

// MLAG is `show mlag | json` or `show mlag detail | json`.
type MLAG struct {
	// State is active, inactive or disabled (no MLAG configuration).
	State    string `json:"state"`
	DomainID string `json:"domainId"`
	// NegStatus is the negotiation with the peer: connected once the
	// peers found each other over the local interface (VLAN 4094 across
	// the peer link) and the peer address.
	NegStatus       string `json:"negStatus"`
	PeerLinkStatus  string `json:"peerLinkStatus"`
	LocalIntfStatus string `json:"localIntfStatus"`
	PeerAddress     string `json:"peerAddress"`
	PeerLink        string `json:"peerLink"`
	// ConfigSanity is consistent or inconsistent (`show mlag
	// config-sanity` lists what differs); absent while the peering is
	// not up.
	ConfigSanity string `json:"configSanity"`
	Detail       *struct {
		UDPHeartbeatAlive bool `json:"udpHeartbeatAlive"`
	} `json:"detail"`
}

// ParseMLAG decodes `show mlag [detail] | json`; output without a state is
// not that command's.
func ParseMLAG(b []byte) (*MLAG, error) {
	m, err := norm.DecodeJSON[MLAG](b, CmdShowMLAG)
	if err != nil {
		return nil, err
	}
	if m.State == "" {
		return nil, fmt.Errorf("parse %q: no MLAG state", CmdShowMLAG)
	}
	return m, nil
}

// Peering is the MLAG peering in vendor-neutral words: the keep-alive is
// up when the negotiation is connected and (with detail) heartbeats
// arrive; an inconsistent config-sanity is listed as inconsistent.
func (m *MLAG) Peering() *intent.MLAGState {
	is := func(v, want string) bool { return strings.EqualFold(strings.TrimSpace(v), want) }
	s := &intent.MLAGState{State: intent.MLAGInactive}
	switch {
	case is(m.State, "disabled"):
		return &intent.MLAGState{State: intent.MLAGDisabled}
	case is(m.State, "active"):
		s.State = intent.MLAGActive
	}
	s.Domain = m.DomainID
	s.PeerLinkUp = is(m.PeerLinkStatus, "up")
	s.KeepaliveUp = is(m.NegStatus, "connected") && (m.Detail == nil || m.Detail.UDPHeartbeatAlive)
	if m.ConfigSanity != "" && !is(m.ConfigSanity, "consistent") {
		s.Inconsistent = []string{"config-sanity " + m.ConfigSanity}
	}
	return s
}

// ObserveMLAG reads the output of CmdShowMLAG; nil output (the command was
// not available) is no MLAG state.
func ObserveMLAG(b []byte) (*intent.MLAGState, error) {
	if b == nil {
		return nil, nil
	}
	m, err := ParseMLAG(b)
	if err != nil {
		return nil, err
	}
	return m.Peering(), nil
}
