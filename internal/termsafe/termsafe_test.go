package termsafe_test

import (
	"testing"

	"github.com/netalign/netalign/internal/termsafe"
)

func TestEscape(t *testing.T) {
	tests := []struct{ name, in, want, line string }{
		{"plain", "Ethernet1 uplink to leaf-1", "Ethernet1 uplink to leaf-1", "Ethernet1 uplink to leaf-1"},
		{"letters of any script", "Zürich 東京 Ελλάδα ✓", "Zürich 東京 Ελλάδα ✓", "Zürich 東京 Ελλάδα ✓"},
		{"OSC 52 clipboard write", "desc\x1b]52;c;Y3VybCBldmlsfHNo\x07", `desc\x1b]52;c;Y3VybCBldmlsfHNo\x07`, `desc\x1b]52;c;Y3VybCBldmlsfHNo\x07`},
		{"window title, ST-terminated", "\x1b]0;pwned\x1b\\ok", `\x1b]0;pwned\x1b\ok`, `\x1b]0;pwned\x1b\ok`},
		{"CSI hides and moves", "a\x1b[8mhidden\x1b[2J\x1b[1;1H", `a\x1b[8mhidden\x1b[2J\x1b[1;1H`, `a\x1b[8mhidden\x1b[2J\x1b[1;1H`},
		{"8-bit CSI and OSC (C1)", "a\u009b2Jb\u009d0;t\u009c", `a\u009b2Jb\u009d0;t\u009c`, `a\u009b2Jb\u009d0;t\u009c`},
		{"bell, backspace, DEL, NUL", "x\a\b\x7f\x00", `x\x07\x08\x7f\x00`, `x\x07\x08\x7f\x00`},
		{"bidi override (Trojan Source)", "vlan\u202e001\u202c", `vlan\u202e001\u202c`, `vlan\u202e001\u202c`},
		{"bidi isolates and marks", "\u2066a\u2069\u200e\u200f\u061c", `\u2066a\u2069\u200e\u200f\u061c`, `\u2066a\u2069\u200e\u200f\u061c`},
		{"zero-width", "le\u200baf\u200c1\u200d\u2060\ufeff", `le\u200baf\u200c1\u200d\u2060\ufeff`, `le\u200baf\u200c1\u200d\u2060\ufeff`},
		{"tag characters", "a\U000e0041", `a\U000e0041`, `a\U000e0041`},
		{"line separator", "a\u2028b", `a\u2028b`, `a\u2028b`},
		{"invalid UTF-8", "a\xffb\xc3", `a\xffb\xc3`, `a\xffb\xc3`},
		{"replacement character is text", "a\ufffdb", "a\ufffdb", "a\ufffdb"},
		{"lines and tabs", "one\ttwo\nthree\r\nfour\n", "one\ttwo\nthree\r\nfour\n", `one\ttwo | three | four`},
		{"lone CR overwrites", "good\rbad", `good\x0dbad`, `good\x0dbad`},
		{"empty", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := termsafe.Escape(tt.in); got != tt.want {
				t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := termsafe.Line(tt.in); got != tt.line {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.line)
			}
		})
	}
}
