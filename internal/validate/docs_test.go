package validate

import (
	"os"
	"strings"
	"testing"
)

// TestDocsListEveryCode keeps docs/validate.md's two tables equal to the
// codes in the code.
func TestDocsListEveryCode(t *testing.T) {
	b, err := os.ReadFile("../../docs/validate.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for name, table := range map[string]string{"findings": CodesMarkdown(Codes()), "causes": CodesMarkdown(CauseCodes())} {
		if !strings.Contains(doc, table) {
			t.Errorf("docs/validate.md does not hold the %s table as the code has it; write this:\n%s", name, table)
		}
	}
}
