package termsafe

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape returns s with every character a terminal would act on, rather than
// show, written as a visible escape: C0 controls and DEL as \x1b, C1
// controls, bidi controls, zero-width and other format characters (Unicode
// Cc and Cf) and the line and paragraph separators as \u202e, bytes that are
// not UTF-8 as \xff. Newlines and tabs are kept, and so is a CR right
// before a newline; a lone CR, which returns the cursor to overwrite the
// line, is escaped.
func Escape(s string) string { return escape(s, false) }

// Line is Escape for text that must stay on one line (a table cell, a log
// message): line breaks become " | " (trailing ones are dropped) and tabs
// \t.
func Line(s string) string { return escape(s, true) }

func escape(s string, oneLine bool) string {
	if oneLine {
		s = strings.TrimRight(s, "\r\n")
	}
	if plain(s, oneLine) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' || r == '\r' && strings.HasPrefix(s[i+1:], "\n"):
			if !oneLine {
				b.WriteRune(r)
			} else if r == '\n' {
				b.WriteString(" | ")
			}
		case r == '\t':
			if oneLine {
				b.WriteString(`\t`)
			} else {
				b.WriteByte('\t')
			}
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case Unsafe(r):
			if r > 0xffff {
				fmt.Fprintf(&b, `\U%08x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// plain reports whether s is printable ASCII (and, unless oneLine, newlines
// and tabs) only, so that it needs no escaping.
func plain(s string, oneLine bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f || !oneLine && (c == '\n' || c == '\t') {
			continue
		}
		return false
	}
	return true
}

// Unsafe reports whether a terminal acts on r rather than shows it: control
// characters (C0, DEL, C1), format characters (bidi controls U+202A–U+202E,
// U+2066–U+2069, U+200E, U+200F, U+061C; zero-width U+200B–U+200D, U+2060,
// U+FEFF; tag characters) and the line and paragraph separators.
func Unsafe(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp)
}
