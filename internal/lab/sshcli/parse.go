package sshcli

import (
	"regexp"
	"strconv"
	"strings"
)

// mode is a CLI mode a command is valid in.
type mode uint8

const (
	mExec mode = 1 << iota // unprivileged exec (leaf1>)
	mPriv                  // privileged exec (leaf1#)
	mConf                  // global configuration (leaf1(config)#)
	mIf                    // interface configuration
	mVlan                  // VLAN configuration

	mAnyExec = mExec | mPriv
	mSub     = mIf | mVlan
)

// cmd is one command of a dialect's grammar. Pattern words are keywords
// (matched case-insensitively, unique prefixes accepted, as on the real
// CLIs) or placeholders: <n> a number, <w> one word, <text> the rest of the
// line verbatim.
type cmd struct {
	pattern string
	modes   mode
	run     func(sh *shell, a []string) (string, error)

	words []string
}

// grammar is a dialect's command table.
type grammar []*cmd

func newGrammar(cmds ...*cmd) grammar {
	for _, c := range cmds {
		c.words = strings.Fields(c.pattern)
	}
	return cmds
}

// token is a word of the input and its byte offset in the line.
type token struct {
	s   string
	off int
}

func tokenize(line string) []token {
	var out []token
	i := 0
	for i < len(line) {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i >= len(line) {
			break
		}
		j := i
		for j < len(line) && line[j] != ' ' && line[j] != '\t' {
			j++
		}
		out = append(out, token{line[i:j], i})
		i = j
	}
	return out
}

// ifSpace joins an interface type and its number typed with a space
// between them ("ethernet 1/1" → "ethernet1/1"), which both CLIs accept.
var ifSpace = regexp.MustCompile(`(?i)\b(ethernet|eth|et|port-channel|po)\s+(\d)`)

// parseResult is the outcome of matching a line against a grammar.
type parseResult struct {
	cmd  *cmd
	args []string
	// On failure: the token index where input stopped matching, whether
	// the input was a valid prefix of a command, or ambiguous.
	errTok     int
	errOff     int
	incomplete bool
	ambiguous  bool
}

// match finds the command for line among those valid in m.
func (g grammar) match(line string, m mode) parseResult {
	toks := tokenize(line)
	best := parseResult{errTok: -1}
	var exact, prefix []parseResult
	for _, c := range g {
		if c.modes&m == 0 {
			continue
		}
		args, n, isExact, ok := matchWords(c.words, toks, line)
		if ok {
			r := parseResult{cmd: c, args: args}
			if isExact {
				exact = append(exact, r)
			} else {
				prefix = append(prefix, r)
			}
			continue
		}
		if n > best.errTok || (n == best.errTok && n == len(toks)) {
			best.errTok = n
			best.incomplete = n == len(toks)
		}
	}
	if len(exact) > 0 {
		return exact[0]
	}
	if len(prefix) == 1 {
		return prefix[0]
	}
	if len(prefix) > 1 {
		return parseResult{ambiguous: true}
	}
	if best.errTok < 0 {
		best.errTok = 0
	}
	if best.errTok < len(toks) {
		best.errOff = toks[best.errTok].off
	} else {
		best.errOff = len(line)
	}
	return best
}

// matchWords matches a pattern against tokens. It returns the placeholder
// values, how many tokens matched, whether every keyword was typed in full,
// and whether the whole line matched.
func matchWords(words []string, toks []token, line string) (args []string, n int, exact, ok bool) {
	exact = true
	for i, w := range words {
		if i >= len(toks) {
			return nil, i, exact, false
		}
		t := toks[i].s
		switch w {
		case "<n>":
			if _, err := strconv.Atoi(t); err != nil {
				return nil, i, exact, false
			}
			args = append(args, t)
		case "<w>":
			args = append(args, t)
		case "<text>":
			args = append(args, strings.TrimRight(line[toks[i].off:], " \t"))
			return args, len(toks), exact, true
		default:
			lt, lw := strings.ToLower(t), strings.ToLower(w)
			switch {
			case lt == lw:
			case strings.HasPrefix(lw, lt):
				exact = false
			default:
				return nil, i, exact, false
			}
		}
	}
	if len(toks) != len(words) {
		return nil, len(words), exact, false
	}
	return args, len(words), exact, true
}
