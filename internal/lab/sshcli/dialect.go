package sshcli

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/lab/device"
)

// grammars are the dialects' command tables, built once on first use and
// never modified (a lazily built constant: the tables refer to handlers
// that refer back to the tables, which a plain initialiser cannot).
var (
	grammarOnce           sync.Once
	eosGrammar, nxGrammar grammar
)

func grammars() (grammar, grammar) {
	grammarOnce.Do(func() {
		eosGrammar = grammarFor(device.PlatformEOS)
		nxGrammar = grammarFor(device.PlatformNXOS)
	})
	return eosGrammar, nxGrammar
}

// hostname is the name in the prompt: the configured hostname.
func (sh *shell) hostname() string {
	return sh.dev.Hostname()
}

// eosDialect is Arista EOS.
type eosDialect struct{}

func (eosDialect) grammar() grammar { g, _ := grammars(); return g }

func (eosDialect) banner() string { return "" }

// prompt: leaf1>, leaf1#, leaf1(config)#, leaf1(config-if-Et1)#,
// leaf1(config-vlan-100)#, leaf1(config-s-ansibl)#,
// leaf1(config-s-ansibl-if-Et3)#.
func (eosDialect) prompt(sh *shell) string {
	h := sh.hostname()
	switch sh.level {
	case mExec:
		return h + ">"
	case mPriv:
		return h + "#"
	}
	ctx := "config"
	if sh.sess != nil {
		name := sh.sess.name
		if len(name) > 6 {
			name = name[:6]
		}
		ctx += "-s-" + name
	}
	switch sh.level {
	case mIf:
		ctx += "-if-" + eosIfRange(sh.ifs)
	case mVlan:
		ctx += "-vlan-" + intent.NewVLANSet(sh.vlans...).String()
	}
	return h + "(" + ctx + ")#"
}

// eosIfRange is the interface part of an EOS prompt: Et1, Et1-2, Et1,Et3.
func eosIfRange(ifs []string) string {
	if len(ifs) == 1 {
		return intent.ShortInterface(ifs[0])
	}
	short := make([]string, len(ifs))
	for i, n := range ifs {
		short[i] = intent.ShortInterface(n)
	}
	first, last := short[0], short[len(short)-1]
	fp, fn := splitName(first)
	lp, ln := splitName(last)
	if fp == lp && fn >= 0 && ln-fn == len(short)-1 {
		return first + "-" + strconv.Itoa(ln)
	}
	return strings.Join(short, ",")
}

func splitName(s string) (string, int) {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	n, err := strconv.Atoi(s[i:])
	if err != nil {
		return s, -1
	}
	return s[:i], n
}

func (eosDialect) invalid(sh *shell, r parseResult, prompt, line string) string {
	switch {
	case r.ambiguous:
		return "% Ambiguous command"
	case r.incomplete:
		return "% Incomplete command"
	}
	toks := tokenize(line)
	bad := ""
	if r.errTok < len(toks) {
		bad = toks[r.errTok].s
	}
	return fmt.Sprintf("%% Invalid input (at token %d: '%s')", r.errTok, bad)
}

// nxosDialect is Cisco NX-OS.
type nxosDialect struct{}

func (nxosDialect) grammar() grammar { _, g := grammars(); return g }

func (nxosDialect) banner() string {
	return "\nCisco NX-OS Software\nCopyright (c) 2002-2022, Cisco Systems, Inc. All rights reserved.\n"
}

// prompt: leaf2#, leaf2(config)#, leaf2(config-if)#,
// leaf2(config-if-range)#, leaf2(config-vlan)#; in a configuration
// session leaf2(config-s)#, leaf2(config-s-if)#...
func (nxosDialect) prompt(sh *shell) string {
	h := sh.hostname()
	ctx := "config"
	if sh.sess != nil {
		ctx = "config-s"
	}
	switch sh.level {
	case mExec:
		return h + ">"
	case mPriv:
		return h + "#"
	case mIf:
		if len(sh.ifs) > 1 {
			return h + "(" + ctx + "-if-range)#"
		}
		return h + "(" + ctx + "-if)#"
	case mVlan:
		return h + "(" + ctx + "-vlan)#"
	}
	return h + "(" + ctx + ")#"
}

// invalid draws NX-OS's caret under the offending token.
func (nxosDialect) invalid(sh *shell, r parseResult, prompt, line string) string {
	switch {
	case r.ambiguous:
		return "% Ambiguous command at '^' marker."
	case r.incomplete:
		return "% Incomplete command at '^' marker."
	}
	return strings.Repeat(" ", len(prompt)+r.errOff) + "^\n% Invalid command at '^' marker."
}

// nxInvalidMarker is the NX-OS error for a keyword unknown because its
// feature is disabled, with the caret at offset off of the command.
func nxInvalidMarker(sh *shell, off int) string {
	return strings.Repeat(" ", len(sh.d.prompt(sh))+off) + "^\n% Invalid command at '^' marker."
}
