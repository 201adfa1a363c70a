package eos

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"sort"
	"strings"

	"github.com/netalign/netalign/switchdrivers/internal/norm"
)

// CmdShowSessions lists the configuration sessions EOS keeps: those still
// pending (opened, never committed nor aborted, whoever opened them and
// whether or not their connection is still there) and those waiting for
// their commit timer.
const CmdShowSessions = "show configuration sessions | json"

// Session states of `show configuration sessions`: a pending session has
// changed nothing yet; one in StateCommitTimer was committed with `commit
// timer` and reverts unless confirmed (napalm's EOS driver and Arista's own
// scripts read the same keys and values).
const (
	StatePending     = "pending"
	StateCommitTimer = "pendingCommitTimer"
)

// Sessions is `show configuration sessions | json`.
type Sessions struct {
	Sessions map[string]struct {
		State string `json:"state"`
	} `json:"sessions"`
	MaxOpenSessions int `json:"maxOpenSessions"`
}

// ParseSessions decodes `show configuration sessions | json`.
func ParseSessions(b []byte) (*Sessions, error) { return norm.DecodeJSON[Sessions](b, CmdShowSessions) }

// sessionPrefix starts the name of every configuration session netalign
// opens (clisession.NewName: netalign-<8 hex digits>).
const sessionPrefix = "netalign"

// ownName matches the sessions netalign opens, and nothing else: a
// session named otherwise (an operator's, another tool's) is never
// touched. Only names that match reach a command line.
var ownName = regexp.MustCompile(`^` + sessionPrefix + `-[0-9a-f]{8}$`)

// Leftovers are netalign's sessions found on a switch, sorted by name:
// Pending ones never committed (their connection was lost, or the process
// was killed, before commit or abort), and Timed ones committed with a
// timer that was not confirmed yet.
type Leftovers struct {
	Pending []string
	Timed   []string
}

// Leftovers returns netalign's sessions in s, except skip (the caller's
// own).
func (s *Sessions) Leftovers(skip string) Leftovers {
	var l Leftovers
	for name, e := range s.Sessions {
		if name == skip || !ownName.MatchString(name) {
			continue
		}
		switch e.State {
		case StatePending:
			l.Pending = append(l.Pending, name)
		case StateCommitTimer:
			l.Timed = append(l.Timed, name)
		}
	}
	sort.Strings(l.Pending)
	sort.Strings(l.Timed)
	return l
}

// RunningDigest is a digest of `show running-config` as far as it is
// configuration: the header comments EOS starts it with ("! Command:",
// "! device: NAME (MODEL, EOS-VERSION)", on some releases "! Time:") and
// blank lines are left out, and line ends are normalised, so two reads of
// an unchanged configuration have the same digest.
func RunningDigest(text string) string {
	h := sha256.New()
	for line := range strings.Lines(text) {
		line = strings.TrimRight(line, "\r\n \t")
		if line == "" || strings.HasPrefix(line, "! ") {
			continue
		}
		h.Write([]byte(line))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}
