package norm

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netalign/netalign/internal/intent"
)

type rec struct {
	Undecoded
	N int `json:"n"`
}

type strict struct {
	N int `json:"n"`
}

// TestRecordByRecord: a Map or list of records that embed Undecoded keeps
// the records that decode and marks the others; records that do not embed
// it fail as json.Unmarshal does.
func TestRecordByRecord(t *testing.T) {
	var m struct {
		M Map[rec] `json:"m"`
	}
	if err := json.Unmarshal([]byte(`{"m": {"a": {"n": 1}, "b": {"n": "x"}, "c": 7}}`), &m); err != nil {
		t.Fatal(err)
	}
	if m.M["a"].N != 1 || m.M["a"].Err != nil {
		t.Errorf("a = %+v", m.M["a"])
	}
	if err := m.M["b"].Err; err == nil || err.Error() != "n: string where a number was expected" {
		t.Errorf("b: %v", err)
	}
	if err := m.M["c"].Err; err == nil || err.Error() != "number where an object was expected" {
		t.Errorf("c: %v", err)
	}
	l, err := DecodeList[rec]([]byte(`[{"n": 2}, [1]]`))
	if err != nil || len(l) != 2 || l[0].N != 2 || l[1].Err == nil {
		t.Errorf("list = %+v, %v", l, err)
	}
	if _, err := DecodeList[strict]([]byte(`[{"n": 2}, {"n": "x"}]`)); err == nil || !strings.HasPrefix(err.Error(), "entry 2: ") {
		t.Errorf("strict list: %v", err)
	}
	if _, err := DecodeList[rec]([]byte(`{"n": 2}`)); err == nil {
		t.Error("an object accepted as a list")
	}
}

func TestSkips(t *testing.T) {
	got, skipped := Collect(func(s *Skips) int {
		s.VLAN("show vlan", "100", "status %q", "frozen")
		s.Interface("show interfaces", "et2", "bad")
		s.Record("show interfaces", "row 3", "%s", strings.Repeat("x", 200))
		return 7
	})
	want := []intent.Unparsed{
		{Command: "show interfaces", Kind: intent.ObjInterface, Record: "Ethernet2", Reason: "bad"},
		{Command: "show interfaces", Record: "row 3", Reason: strings.Repeat("x", 120) + "..."},
		{Command: "show vlan", Kind: intent.ObjVLAN, Record: "100", Reason: `status "frozen"`},
	}
	if diff := cmp.Diff(want, skipped); got != 7 || diff != "" {
		t.Errorf("got %d, skipped (-want +got):\n%s", got, diff)
	}
	if s := skipped[2].String(); s != `show vlan: vlan 100: status "frozen"` {
		t.Errorf("String() = %q", s)
	}
	if p := Printable(strings.Repeat("é", 100)); len(p) > 123 || !strings.HasSuffix(p, "é...") {
		t.Errorf("Printable cut a rune: %q", p)
	}
}
