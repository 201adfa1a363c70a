package intent

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestBondModeTablesInDocs keeps the bond-mode tables of README.md and
// docs/inventory.md equal to the code's (BondModeTable): mode, name, the
// switch side, and in docs/inventory.md the aliases.
func TestBondModeTablesInDocs(t *testing.T) {
	side := map[LAGType]string{LAGStatic: "static LAG (mode on)", LAGLACP: "LACP LAG (active)", LAGNone: "no LAG, plain trunks"}
	row := regexp.MustCompile(`^\|\s*([0-6])\s*\|([^|]*)\|([^|]*)\|(?:([^|]*)\|)?\s*$`)
	for _, doc := range []string{"../../README.md", "../../docs/inventory.md"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int]bool{}
		for _, line := range strings.Split(string(b), "\n") {
			m := row.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			n, _ := strconv.Atoi(m[1])
			r := BondModeTable()[n]
			cells := []string{strings.TrimSpace(m[2]), strings.TrimSpace(m[3]), strings.TrimSpace(m[4])}
			want := []string{r.Name, side[r.LAG]}
			got := []string{cells[0], cells[1]}
			if m[4] != "" { // mode | name | aliases | switch side
				got = []string{cells[0], cells[2]}
				if aliases := strings.Join(r.Aliases, ", "); cells[1] != aliases {
					t.Errorf("%s mode %d: aliases %q, the code has %q", doc, n, cells[1], aliases)
				}
			}
			if got[0] != want[0] || got[1] != want[1] {
				t.Errorf("%s mode %d: %q, the code says %q", doc, n, got, want)
			}
			seen[n] = true
		}
		if len(seen) != len(BondModeTable()) {
			t.Errorf("%s: rows for modes %v, want all %d", doc, seen, len(BondModeTable()))
		}
	}
}
