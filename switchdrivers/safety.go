package switchdrivers

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// MaxCLITextLen bounds any inventory text placed on a CLI line. EOS accepts
// interface descriptions of up to 240 characters, NX-OS 254; the smaller wins.
const MaxCLITextLen = 240

// MaxCLIWordLen bounds single-word values such as VLAN names (EOS and NX-OS
// both cap VLAN names at 32 characters).
const MaxCLIWordLen = 32

// ErrUnsafeCLIText is wrapped by every refusal of CheckCLISafe and
// CheckCLIWord.
var ErrUnsafeCLIText = errors.New("unsafe text for a CLI line")

// cliSafe reports whether r may appear in free text on a CLI line. It is an
// allow-list: letters, digits, space and punctuation that no switch CLI
// interprets. Excluded on purpose: control characters and newlines (a second
// command), '|' and '>' (output pipes and redirection), ';' and '&'
// (separators in some shells and CLIs), '?' (inline help on Cisco and
// Arista CLIs, which swallows the rest of the line), '!' and '#' (comments),
// '%' (the prefix of device error messages, which must stay unambiguous),
// quotes, backslash, backquote and '$' (quoting and expansion).
func cliSafe(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	switch r {
	case ' ', '-', '_', '.', ':', '/', ',', '(', ')', '@', '+', '=', '[', ']', '*':
		return true
	}
	return false
}

// CheckCLISafe returns an error when s cannot be placed verbatim on a switch
// CLI line: it contains a control character, a newline, a character a CLI
// interprets, leading or trailing spaces, or is longer than MaxCLITextLen.
// Renderers call it on every inventory-derived string as defence in depth,
// after the inventory validator.
func CheckCLISafe(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrUnsafeCLIText, strconv.Quote(s))
	}
	if n := utf8.RuneCountInString(s); n > MaxCLITextLen {
		return fmt.Errorf("%w: %d characters, at most %d", ErrUnsafeCLIText, n, MaxCLITextLen)
	}
	for i, r := range s {
		if !cliSafe(r) {
			return fmt.Errorf("%w: %s has %q at byte %d", ErrUnsafeCLIText, strconv.Quote(s), r, i)
		}
	}
	if len(s) > 0 && (s[0] == ' ' || s[len(s)-1] == ' ') {
		return fmt.Errorf("%w: %s has leading or trailing spaces", ErrUnsafeCLIText, strconv.Quote(s))
	}
	return nil
}

// CheckCLIWord is CheckCLISafe for values that must be one non-empty word of
// at most MaxCLIWordLen characters, such as VLAN names.
func CheckCLIWord(s string) error {
	if s == "" {
		return fmt.Errorf("%w: empty word", ErrUnsafeCLIText)
	}
	if err := CheckCLISafe(s); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(s); n > MaxCLIWordLen {
		return fmt.Errorf("%w: %s has %d characters, at most %d", ErrUnsafeCLIText, strconv.Quote(s), n, MaxCLIWordLen)
	}
	for i, r := range s {
		if r == ' ' {
			return fmt.Errorf("%w: %s has a space at byte %d", ErrUnsafeCLIText, strconv.Quote(s), i)
		}
	}
	return nil
}
