package termsafe_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/netalign/netalign/internal/termsafe"
)

// FuzzEscape: the output is valid UTF-8 without a rune a terminal acts on
// (Line: none at all; Escape: none but newlines, tabs and a CR before a
// newline), and text that needs no escaping comes back unchanged.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"Ethernet1", "Zürich 東京", "\x1b]52;c;YWJj\x07", "\x1b]0;t\x1b\\", "a\u202eb\u200d", "\xff\xc3\u009b", "a\r\nb\rc\td\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		esc, line := termsafe.Escape(s), termsafe.Line(s)
		for name, out := range map[string]string{"Escape": esc, "Line": line} {
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q is not UTF-8", name, s, out)
			}
			for i, r := range out {
				allowed := name == "Escape" && (r == '\n' || r == '\t' || r == '\r' && strings.HasPrefix(out[i+1:], "\n"))
				if termsafe.Unsafe(r) && !allowed {
					t.Fatalf("%s(%q) = %q holds %U", name, s, out, r)
				}
			}
		}
		if utf8.ValidString(s) && !strings.ContainsFunc(s, termsafe.Unsafe) && esc != s {
			t.Fatalf("Escape(%q) = %q changed safe text", s, esc)
		}
	})
}
