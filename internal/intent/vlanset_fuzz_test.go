package intent_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/netalign/netalign/internal/intent"
)

// FuzzParseVLANSet: whatever ParseVLANSet accepts is a sorted set of VLAN
// ids whose text form parses back to the same set.
func FuzzParseVLANSet(f *testing.F) {
	for _, s := range []string{"1,10-12,100", "100, 10-12 ,1,11", "all", "none", "", "4094", "1-4094,1-4094", "0", "10-5", "1-", "2-3,,5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		set, err := intent.ParseVLANSet(s)
		if err != nil {
			return
		}
		checkVLANSet(t, set)
		back, err := intent.ParseVLANSet(set.String())
		if err != nil || !back.Equal(set) {
			t.Fatalf("%q: %s parses back as %v, %v", s, set, back, err)
		}
	})
}

// FuzzVLANSetJSON: both JSON forms decode to a sorted set of VLAN ids, and
// the set's JSON decodes back to it.
func FuzzVLANSetJSON(f *testing.F) {
	for _, s := range []string{`"1,10-20,100"`, `[100, 1, 1]`, `"all"`, `[]`, `null`, `[4095]`, `{"a":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var set intent.VLANSet
		if err := json.Unmarshal(b, &set); err != nil {
			return
		}
		checkVLANSet(t, set)
		j, err := json.Marshal(set)
		if err != nil {
			t.Fatal(err)
		}
		var back intent.VLANSet
		if err := json.Unmarshal(j, &back); err != nil || !back.Equal(set) {
			t.Fatalf("%s: %s decodes back as %v, %v", b, j, back, err)
		}
	})
}

func checkVLANSet(t *testing.T, s intent.VLANSet) {
	t.Helper()
	if !slices.IsSorted(s) || len(slices.Compact(slices.Clone(s))) != len(s) {
		t.Fatalf("%v is not a sorted set", []int(s))
	}
	if len(s) > 0 && (s[0] < 1 || s[len(s)-1] > 4094) {
		t.Fatalf("%v holds ids outside 1-4094", []int(s))
	}
}
