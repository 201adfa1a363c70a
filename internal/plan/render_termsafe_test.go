package plan_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/intent"
	"github.com/netalign/netalign/internal/plan"
)

// TestRenderTextEscapesDeviceText: a description, a LAG name, a skip reason
// and a warning that came from devices reach the terminal as visible
// escapes in the text form and unchanged in the JSON form.
func TestRenderTextEscapesDeviceText(t *testing.T) {
	const osc52, bidi = "\x1b]52;c;Y3VybA==\x07", "\u202e"
	p := &plan.Plan{Version: plan.Version, Devices: []plan.Device{
		{Name: "leaf1", Kind: plan.KindSwitch, Platform: "eos", Warnings: []string{"port Ethernet9 held: description " + bidi + "evil"},
			Switch: []intent.SwitchChange{{Action: intent.Update, Object: intent.ObjInterface, Name: "Ethernet1",
				Fields: []intent.Field{{Name: "description", Before: "old" + osc52, After: "harvester-0 eno1"}}},
				{Action: intent.Delete, Object: intent.ObjLAG, Name: "Port-Channel9\x1b]0;title\x07", Reason: "orphan\nLAG"}}},
		{Name: "leaf2", Kind: plan.KindSwitch, Skipped: "unreachable: banner \x1b[2J"},
	}}
	var text bytes.Buffer
	if err := plan.RenderText(&text, p, plan.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`old\x1b]52;c;Y3VybA==\x07`, `Port-Channel9\x1b]0;title\x07`, `# orphan | LAG`, `\u202eevil`, `banner \x1b[2J`} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text output lacks %s:\n%s", want, text.String())
		}
	}
	if strings.ContainsAny(text.String(), "\x1b\x07\u202e") {
		t.Errorf("text output holds control characters: %q", text.String())
	}
	var js bytes.Buffer
	if err := plan.RenderJSON(&js, p); err != nil {
		t.Fatal(err)
	}
	var back plan.Plan
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, &back); diff != "" {
		t.Errorf("JSON output does not keep the raw values (-want +got):\n%s", diff)
	}
}
