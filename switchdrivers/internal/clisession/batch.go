package clisession

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/scrapli/scrapligo/driver/network"

	"github.com/netalign/netalign/switchdrivers"
)

// promptPrefix builds, from the platform's privilege-level prompt patterns,
// one pattern that finds a prompt at the start of a line whether or not the
// echo of the next command follows it on the same line.
func promptPrefix(levels map[string]*network.PrivilegeLevel) (*regexp.Regexp, error) {
	var alts []string
	for _, l := range levels {
		p := strings.TrimPrefix(l.Pattern, "(?im)")
		p = strings.TrimSuffix(p, `$`)
		p = strings.TrimSuffix(p, `\s?`)
		p = strings.TrimPrefix(p, "^")
		if strings.HasPrefix(p, "(") {
			// Alternations of whole prompts (NX-OS tclsh): not used in
			// configuration batches.
			continue
		}
		alts = append(alts, "(?:"+p+")")
	}
	return regexp.Compile(`(?im)^(?:` + strings.Join(alts, "|") + `)`)
}

// hostPrompt returns the pattern of the device's own prompts, derived from
// one of them ("leaf1#", "leaf1>"): the hostname at the start of a line, an
// optional mode in parentheses ("(config-s-netali-if-Et1)"), then # or >.
// Anchoring on the hostname keeps output lines that merely contain # or >
// (descriptions in a session diff) from passing for prompts.
func hostPrompt(prompt string) *regexp.Regexp {
	p := strings.TrimSpace(prompt)
	i := strings.IndexAny(p, "(#>")
	if i <= 0 {
		return nil
	}
	return regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(p[:i]) + `(?:\([^)\r\n]*\))?[#>]`)
}

// SendBatch sends lines in one write and reads the replies until every
// line's prompt has come back: one round trip however many lines, as an
// operator pasting a block into the terminal. The transcript is split at the
// prompts, so each line's output is still checked for the platform's error
// strings; the first refused line is returned as a *switchdrivers.CommandError
// (the device has processed the lines after it too: callers abort or roll
// back). The outputs of all lines are returned.
func (s *Session) SendBatch(ctx context.Context, lines []string) ([]string, error) {
	if len(lines) == 0 {
		return nil, nil
	}
	for _, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			return nil, fmt.Errorf("batch line %q has a line break", l)
		}
	}
	s.modeUnknown()
	s.count(1)
	segs, err := s.batch(ctx, lines)
	if err != nil {
		return nil, fmt.Errorf("send configuration: %w", err)
	}
	outs := make([]string, len(lines))
	var first error
	for i, seg := range segs {
		outs[i] = strings.TrimSpace(seg)
		if first == nil && s.refused(outs[i]) {
			first = &switchdrivers.CommandError{Device: s.name, Command: lines[i], Output: outs[i]}
		}
	}
	return outs, first
}

// batch writes lines at once under ctx and returns each line's reply: the
// text between the echo of the line and the next prompt. A failure tears the
// session down.
func (s *Session) batch(ctx context.Context, lines []string) ([]string, error) {
	segs, _, err := s.batchPrompt(ctx, lines)
	return segs, err
}

// batchPrompt is batch that also returns the last prompt the device sent.
func (s *Session) batchPrompt(ctx context.Context, lines []string) ([]string, string, error) {
	t, release, err := s.guard(ctx)
	if err != nil {
		return nil, "", err
	}
	buf, idx, err := s.writeAndCollect(ctx, t, lines)
	if rerr := release(); rerr != nil {
		s.Abandon()
		return nil, "", rerr
	}
	if err != nil {
		s.Abandon()
		return nil, "", s.failure(t, err)
	}
	last := idx[len(idx)-1]
	return splitReplies(buf, idx), string(buf[last[0]:last[1]]), nil
}

// splitReplies cuts a transcript at the prompt positions idx: segment i is
// what followed the echo of line i up to the prompt after it.
func splitReplies(buf []byte, idx [][]int) []string {
	segs := make([]string, len(idx))
	start := 0
	for i := range idx {
		seg := buf[start:idx[i][0]]
		start = idx[i][1]
		_, out, _ := bytes.Cut(seg, []byte("\n"))
		segs[i] = string(out)
	}
	return segs
}

// refused reports whether out is the device refusing the command: a line
// that starts with one of the platform's error strings ("% Invalid input",
// "ERROR: ..."). Text elsewhere in a line, such as a description reading
// "50% full" inside a JSON document, is output, not an error.
func (s *Session) refused(out string) bool {
	for line := range strings.Lines(out) {
		line = strings.TrimLeft(line, " \t")
		for _, f := range s.failed {
			if strings.HasPrefix(line, f) {
				return true
			}
		}
	}
	return false
}

// writeAndCollect writes the batch and reads until len(lines) prompts have
// been seen, within timeout. It returns the transcript and the positions of
// the prompts.
func (s *Session) writeAndCollect(ctx context.Context, timeout time.Duration, lines []string) ([]byte, [][]int, error) {
	ch := s.d.Channel
	payload := strings.Join(lines, string(ch.ReturnChar)) + string(ch.ReturnChar)
	if err := ch.Write([]byte(payload), false); err != nil {
		return nil, nil, err
	}
	deadline := time.Now().Add(timeout)
	var (
		buf []byte
		sc  promptScanner
	)
	for {
		b, err := ch.Read()
		if err != nil {
			if ctx.Err() != nil {
				// The cancellation closed the channel under the read.
				return nil, nil, ctx.Err()
			}
			return nil, nil, err
		}
		if b == nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			if time.Now().After(deadline) {
				return nil, nil, fmt.Errorf("%d of %d replies in %v: %w", len(sc.found), len(lines), timeout, context.DeadlineExceeded)
			}
			time.Sleep(time.Millisecond)
			continue
		}
		buf = append(buf, b...)
		if idx := sc.scan(buf, s.prompt, s.promptHost, len(lines)); idx != nil {
			return buf, idx, nil
		}
	}
}

// promptScanner finds prompts at line starts in a growing transcript,
// looking at each line once (a line still being received is looked at again
// when it grows), so that reading a large reply costs linear time.
type promptScanner struct {
	pos     int // start of the first line not yet settled
	matched int // 1 + the start of the line last matched (0: none)
	found   [][]int
}

// scan returns the first want prompt positions once they are all in buf.
func (p *promptScanner) scan(buf []byte, re *regexp.Regexp, host string, want int) [][]int {
	for p.pos < len(buf) {
		end := bytes.IndexByte(buf[p.pos:], '\n')
		line := buf[p.pos:]
		if end >= 0 {
			line = line[:end]
		}
		if p.matched != p.pos+1 && (host == "" || bytes.HasPrefix(line, []byte(host)) || (end < 0 && len(line) < len(host))) {
			if loc := re.FindIndex(line); loc != nil && loc[0] == 0 {
				p.found = append(p.found, []int{p.pos, p.pos + loc[1]})
				p.matched = p.pos + 1
				if len(p.found) >= want {
					return p.found[:want]
				}
			}
		}
		if end < 0 {
			break // the line is not complete yet
		}
		p.pos += end + 1
	}
	return nil
}

// ExecAll runs show commands in privileged exec mode in one round trip
// whatever their number: all in one write when the session is known to be
// in that mode (as scrapligo knows it: after Open and after Exec), else the
// first through Exec (which acquires the mode) and the others in one write.
// It returns every output and, per command, the *switchdrivers.CommandError
// of a refused one (nil otherwise); err is a transport failure, after which
// the outputs are not meaningful.
func (s *Session) ExecAll(ctx context.Context, cmds []string) (outs []string, refused []error, err error) {
	outs, refused = make([]string, len(cmds)), make([]error, len(cmds))
	if len(cmds) == 0 {
		return outs, refused, nil
	}
	rest, done := cmds, 0
	if !s.AtExec() {
		out, err := s.Exec(ctx, cmds[0])
		var ce *switchdrivers.CommandError
		switch {
		case errors.As(err, &ce):
			refused[0] = err
		case err != nil:
			return nil, nil, err
		default:
			outs[0] = out
		}
		rest, done = cmds[1:], 1
		if len(rest) == 0 {
			return outs, refused, nil
		}
	}
	s.count(1)
	segs, err := s.batch(ctx, rest)
	if err != nil {
		return nil, nil, fmt.Errorf("show commands: %w", err)
	}
	for i, seg := range segs {
		text := strings.TrimRight(seg, "\r\n ")
		if s.refused(text) {
			refused[done+i] = &switchdrivers.CommandError{Device: s.name, Command: rest[i], Output: strings.TrimSpace(text)}
			continue
		}
		outs[done+i] = text
	}
	return outs, refused, nil
}
