package inventory

import (
	"context"
	"errors"
	"fmt"
)

// MaxFileSize bounds the inventory the loader reads. An inventory of 100,000
// hosts is about 25 MiB of YAML; anything larger is refused before a parser
// sees it.
const MaxFileSize = 64 << 20

// MaxDepth bounds how deeply an inventory nests: levels of indentation,
// list markers and brackets as a linear pre-scan counts them before the
// parser runs (the deepest field of the schema,
// hosts[].clusterNetworks[].nics[].name, is 6 levels down). The YAML, JSON
// and TOML parsers recurse per level; the cap keeps a hostile document from
// costing them more than a few frames.
const MaxDepth = 64

// ErrTooLarge is wrapped by the error for an inventory over MaxFileSize.
var ErrTooLarge = errors.New("inventory too large")

// ErrTooDeep is wrapped by the error for an inventory nested deeper than
// MaxDepth.
var ErrTooDeep = errors.New("inventory nested too deeply")

// scanCheckEvery is how many bytes or nodes a linear pass handles between
// two looks at its context.
const scanCheckEvery = 1 << 16

// checkBounds refuses a document over MaxFileSize or nested deeper than
// MaxDepth, in one pass over its bytes.
func checkBounds(ctx context.Context, name string, data []byte, format string) error {
	if len(data) > MaxFileSize {
		return fmt.Errorf("inventory %s: %w: %d bytes, at most %d (%d MiB)", name, ErrTooLarge, len(data), MaxFileSize, MaxFileSize>>20)
	}
	var line int
	var err error
	switch format {
	case "json":
		line, err = jsonDepth(ctx, data, MaxDepth)
	case "toml":
		line, err = tomlDepth(ctx, data, MaxDepth)
	default:
		line, err = yamlDepth(ctx, data, MaxDepth)
	}
	if errors.Is(err, ErrTooDeep) {
		return fmt.Errorf("inventory %s: line %d: %w (at most %d levels)", name, line, err, MaxDepth)
	}
	if err != nil {
		return fmt.Errorf("inventory %s: %w", name, err)
	}
	return nil
}

// jsonDepth finds the first line where brackets outside strings nest deeper
// than max.
func jsonDepth(ctx context.Context, data []byte, max int) (int, error) {
	depth, line := 0, 1
	inStr, esc := false, false
	for i, c := range data {
		if i%scanCheckEvery == 0 && ctx.Err() != nil {
			return line, context.Cause(ctx)
		}
		switch {
		case c == '\n':
			line++
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '[' || c == '{':
			if depth++; depth > max {
				return line, ErrTooDeep
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return line, nil
}

// tomlDepth finds the first line nested deeper than max in a TOML document:
// the dotted parts of a table header (two levels for an [[array]]), plus
// those of the key, plus the brackets of arrays and inline tables (whose
// dotted keys count too). Strings of all four kinds are skipped.
func tomlDepth(ctx context.Context, data []byte, max int) (int, error) {
	line := 1
	header := 0 // depth of the current [table] or [[array]]
	var stack []byte
	keyDots := []int{0} // dots of the key being read, per bracket level
	inKey := true       // before '=' at this level
	lineStart := true
	for i := 0; i < len(data); i++ {
		if i%scanCheckEvery == 0 && ctx.Err() != nil {
			return line, context.Cause(ctx)
		}
		c := data[i]
		depth := func() int { // of the key being read, or of its value
			d := header + 1 + len(stack)
			for _, k := range keyDots {
				d += k
			}
			return d
		}
		switch {
		case c == '\n':
			line++
			if len(stack) == 0 {
				lineStart, inKey, keyDots[0] = true, true, 0
			}
			continue
		case c == ' ' || c == '\t' || c == '\r':
			continue
		case c == '#':
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
			continue
		case c == '"' || c == '\'':
			end, lines := tomlString(data, i)
			i, line = end, line+lines
		case c == '[' && lineStart && len(stack) == 0:
			// A table header: [a.b] is two levels, [[a.b]] three (the
			// array and its table).
			header = 1
			if i+1 < len(data) && data[i+1] == '[' {
				header, i = 2, i+1
			}
			for i+1 < len(data) && data[i+1] != ']' && data[i+1] != '\n' {
				i++
				switch data[i] {
				case '.':
					header++
				case '"', '\'':
					end, lines := tomlString(data, i)
					i, line = end, line+lines
				}
			}
			if header > max {
				return line, ErrTooDeep
			}
			for i+1 < len(data) && data[i+1] == ']' {
				i++
			}
		case c == '.' && inKey:
			keyDots[len(keyDots)-1]++
		case c == '=':
			inKey = false
		case c == '[' || c == '{':
			stack = append(stack, c)
			keyDots = append(keyDots, 0)
			inKey = c == '{'
		case c == ']' || c == '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
				keyDots = keyDots[:len(keyDots)-1]
			}
			inKey = false
		case c == ',':
			inKey = len(stack) > 0 && stack[len(stack)-1] == '{'
			keyDots[len(keyDots)-1] = 0
		}
		lineStart = false
		if depth() > max {
			return line, ErrTooDeep
		}
	}
	return line, nil
}

// tomlString returns the index of the last byte of the string that starts
// at data[i] (basic, literal, or either multi-line form) and how many
// newlines it holds. An unterminated string runs to the end; the parser
// reports it.
func tomlString(data []byte, i int) (end, lines int) {
	q := data[i]
	multi := i+2 < len(data) && data[i+1] == q && data[i+2] == q
	j := i + 1
	if multi {
		j = i + 3
	}
	for ; j < len(data); j++ {
		c := data[j]
		switch {
		case c == '\n':
			if !multi {
				return j - 1, lines
			}
			lines++
		case c == '\\' && q == '"':
			if j+1 < len(data) && data[j+1] == '\n' {
				lines++
			}
			j++
		case c == q && !multi:
			return j, lines
		case c == q && j+2 < len(data) && data[j+1] == q && data[j+2] == q:
			// Up to two more quotes may close a multi-line string.
			j += 2
			for k := 0; k < 2 && j+1 < len(data) && data[j+1] == q; k++ {
				j++
			}
			return j, lines
		}
	}
	return len(data) - 1, lines
}

// yamlDepth finds the first line of a YAML document nested deeper than max.
// It follows the block structure by indentation (each deeper indentation,
// and each "- " or "? " marker on a line, opens a level) and the flow
// structure by brackets outside quoted scalars; the content of block
// scalars (| and >) and comments are skipped. It may count a level more
// than the parser for a plain scalar continued on the next line, and half
// as many for lists written without indentation under their key; either
// way the parser's depth stays within a small multiple of max.
func yamlDepth(ctx context.Context, data []byte, max int) (int, error) {
	s := yamlScan{max: max, block: -1}
	lineNo := 0
	for start := 0; start < len(data); {
		if lineNo%1024 == 0 && ctx.Err() != nil {
			return lineNo, context.Cause(ctx)
		}
		end := start
		for end < len(data) && data[end] != '\n' {
			end++
		}
		line := data[start:end]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		lineNo++
		if !s.line(line) {
			return lineNo, ErrTooDeep
		}
		start = end + 1
	}
	return lineNo, nil
}

// yamlScan is yamlDepth's state between lines.
type yamlScan struct {
	max     int
	indents []int // columns of the open block levels
	flow    int   // open brackets
	quote   byte  // open quoted scalar spanning lines: '"', '\'' or 0
	block   int   // column a block scalar's lines must exceed; -1: none
}

func (s *yamlScan) deep() bool { return len(s.indents)+s.flow > s.max }

// line takes one line; false means it nests too deeply.
func (s *yamlScan) line(l []byte) bool {
	indent := 0
	for indent < len(l) && l[indent] == ' ' {
		indent++
	}
	blank := indent == len(l) || l[indent] == '#'
	if s.block >= 0 {
		if blank || indent > s.block {
			return true
		}
		s.block = -1
	}
	i := 0
	if s.quote != 0 {
		if i = s.skipQuoted(l, 0); s.quote != 0 {
			return true
		}
		i++
	}
	if s.flow > 0 || i > 0 {
		return s.scanFlow(l, i)
	}
	if blank || (indent == 0 && len(l) > 0 && l[0] == '%') {
		return true
	}
	if indent == 0 && len(l) >= 3 && (string(l[:3]) == "---" || string(l[:3]) == "...") {
		s.indents = s.indents[:0]
		return true
	}
	for len(s.indents) > 0 && s.indents[len(s.indents)-1] > indent {
		s.indents = s.indents[:len(s.indents)-1]
	}
	if len(s.indents) == 0 || s.indents[len(s.indents)-1] < indent {
		s.indents = append(s.indents, indent)
	}
	i = indent
	node := indent // column of the innermost node begun on this line
	for i < len(l) && (l[i] == '-' || l[i] == '?') && (i+1 == len(l) || l[i+1] == ' ' || l[i+1] == '\t') {
		node = i
		i = skipBlanks(l, i+1)
		if i == len(l) || l[i] == '#' {
			break
		}
		s.indents = append(s.indents, i)
	}
	if s.deep() {
		return false
	}
	return s.content(l, i, node, true)
}

// content looks at a node starting at l[i]: a flow collection, a quoted
// scalar that may span lines, a block scalar (its lines are indented deeper
// than column node), or, when key is set, "key: value" with the value
// looked at in turn. Anchors and tags in front are skipped.
func (s *yamlScan) content(l []byte, i, node int, key bool) bool {
	for i < len(l) && (l[i] == '&' || l[i] == '!') {
		for i < len(l) && l[i] != ' ' && l[i] != '\t' {
			i++
		}
		i = skipBlanks(l, i)
	}
	if i == len(l) {
		return true
	}
	col := i
	switch l[i] {
	case '[', '{':
		return s.scanFlow(l, i)
	case '|', '>':
		s.block = node
		return true
	case '"', '\'':
		s.quote = l[i]
		if i = s.skipQuoted(l, i+1); s.quote != 0 {
			return true
		}
	}
	if !key {
		return true
	}
	for j := i; j < len(l); j++ {
		switch {
		case l[j] == '#' && j > 0 && (l[j-1] == ' ' || l[j-1] == '\t'):
			return true
		case l[j] == ':' && (j+1 == len(l) || l[j+1] == ' ' || l[j+1] == '\t'):
			return s.content(l, skipBlanks(l, j+1), col, false)
		}
	}
	return true
}

func skipBlanks(l []byte, i int) int {
	for i < len(l) && (l[i] == ' ' || l[i] == '\t') {
		i++
	}
	return i
}

// skipQuoted returns the index of the quote that closes s.quote at or after
// l[i], clearing s.quote, or len(l) when the scalar goes on past the line.
func (s *yamlScan) skipQuoted(l []byte, i int) int {
	for ; i < len(l); i++ {
		switch {
		case s.quote == '"' && l[i] == '\\':
			i++
		case l[i] == s.quote && s.quote == '\'' && i+1 < len(l) && l[i+1] == '\'':
			i++ // '' is a quote inside a single-quoted scalar
		case l[i] == s.quote:
			s.quote = 0
			return i
		}
	}
	return len(l)
}

// scanFlow counts brackets from l[i] on, skipping quoted scalars and
// comments. Quotes open a scalar only at the start of a token.
func (s *yamlScan) scanFlow(l []byte, i int) bool {
	for ; i < len(l); i++ {
		c := l[i]
		switch {
		case c == '[' || c == '{':
			s.flow++
			if s.deep() {
				return false
			}
		case c == ']' || c == '}':
			if s.flow > 0 {
				s.flow--
			}
			if s.flow == 0 {
				return true
			}
		case (c == '"' || c == '\'') && (i == 0 || isFlowBreak(l[i-1])):
			s.quote = c
			if i = s.skipQuoted(l, i+1); s.quote != 0 {
				return true
			}
		case c == '#' && (i == 0 || l[i-1] == ' ' || l[i-1] == '\t'):
			return true
		}
	}
	return true
}

func isFlowBreak(c byte) bool {
	switch c {
	case ' ', '\t', '[', '{', ',', ':':
		return true
	}
	return false
}
