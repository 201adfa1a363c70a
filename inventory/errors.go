package inventory

import (
	"fmt"
	"sort"
	"strings"
)

// FieldError is one problem of an inventory, located by the file it came
// from and the camelCase path of the field, for example
// hosts[2].clusterNetworks[0].nics[1].port.
type FieldError struct {
	// File is the inventory file (Inventory.Source); empty when the
	// inventory was built in code.
	File string `json:"file,omitempty"`
	// Line is the line of the file the problem stands on, when the loader
	// knows it (unknown keys); 0 otherwise.
	Line int `json:"line,omitempty"`
	// Path is the field path with the names operators write (struct tags),
	// list elements as [i]. Empty for problems of the whole document.
	Path string `json:"path,omitempty"`
	// Value is the offending value as written, or empty. Secrets are never
	// copied here.
	Value string `json:"value,omitempty"`
	// Message says what is wrong, and when it helps, what to write instead.
	Message string `json:"message"`
}

// Error formats the problem as `file[:line]: path: message (value "x")`.
// Values are quoted with %q so that control characters are shown escaped,
// never raw.
func (e FieldError) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		b.WriteString(e.File + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	if e.Value != "" {
		fmt.Fprintf(&b, " (value %q)", e.Value)
	}
	return b.String()
}

// ValidationErrors is every problem found in one inventory, sorted by path.
type ValidationErrors []FieldError

// Error lists every problem, one per line.
func (v ValidationErrors) Error() string {
	lines := make([]string, len(v))
	for i, e := range v {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Paths returns the field path of every problem, in order. Tests and
// callers that branch on the location use it.
func (v ValidationErrors) Paths() []string {
	out := make([]string, len(v))
	for i, e := range v {
		out[i] = e.Path
	}
	return out
}

// sortErrors orders problems by path (list indices compared as numbers, so
// hosts[2] comes before hosts[10]), then by message, and drops exact
// duplicates.
func sortErrors(errs []FieldError) ValidationErrors {
	sort.SliceStable(errs, func(i, j int) bool {
		if c := comparePaths(errs[i].Path, errs[j].Path); c != 0 {
			return c < 0
		}
		return errs[i].Message < errs[j].Message
	})
	out := errs[:0]
	for i, e := range errs {
		if i > 0 && e == errs[i-1] {
			continue
		}
		out = append(out, e)
	}
	return ValidationErrors(out)
}

// comparePaths compares two field paths, runs of digits as numbers.
func comparePaths(a, b string) int {
	for a != "" && b != "" {
		da, db := isDigit(a[0]), isDigit(b[0])
		if da && db {
			na, ra := leadingNumber(a)
			nb, rb := leadingNumber(b)
			if na != nb {
				if na < nb {
					return -1
				}
				return 1
			}
			a, b = ra, rb
			continue
		}
		if a[0] != b[0] {
			if a[0] < b[0] {
				return -1
			}
			return 1
		}
		a, b = a[1:], b[1:]
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	default:
		return 1
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// leadingNumber splits s after its leading digits. Overlong runs saturate;
// paths only carry list indices.
func leadingNumber(s string) (int, string) {
	n, i := 0, 0
	for i < len(s) && isDigit(s[i]) {
		if n < 1<<30 {
			n = n*10 + int(s[i]-'0')
		}
		i++
	}
	return n, s[i:]
}
