package validate_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/validate"
)

// TestWriteTableEscapesDeviceText: what a device reported (an LLDP system
// name that sets the window title, a description with a bidi override, an
// error with a clipboard write) shows as visible escapes in the table, one
// line per finding, and unchanged in the JSON report.
func TestWriteTableEscapesDeviceText(t *testing.T) {
	f := validate.Finding{Code: validate.CablingMismatch, Severity: validate.SeverityError, Device: "leaf1",
		Object: "Ethernet1", Expected: "harvester-0 eno1", Found: "evil\x1b]0;title\x07 eno\u202e1",
		Message: "LLDP says\n\x1b]52;c;Y3VybA==\x07\tsomething else"}
	rep := validate.NewReport([]string{"leaf1"}, nil, nil, []validate.Finding{f})
	var text bytes.Buffer
	if err := rep.WriteTable(&text, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`evil\x1b]0;title\x07 eno\u202e1`, `LLDP says | \x1b]52;c;Y3VybA==\x07\tsomething else`} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("table lacks %s:\n%s", want, text.String())
		}
	}
	if strings.ContainsAny(text.String(), "\x1b\x07\u202e\t") {
		t.Errorf("table holds control characters: %q", text.String())
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back validate.Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]validate.Finding{f}, back.Findings); diff != "" {
		t.Errorf("JSON findings are not the raw values (-want +got):\n%s", diff)
	}
}
