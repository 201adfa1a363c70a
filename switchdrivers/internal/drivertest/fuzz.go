package drivertest

import (
	"testing"

	"github.com/netalign/netalign/internal/intent"
)

// CheckState fails t when a state that a driver's parser returned without
// error holds what no switch can have: VLAN ids outside 1-4094 or listed
// twice, allowed lists that are not sorted sets, records left out without
// saying which and why. The drivers' fuzz targets call it on
// every state they build.
func CheckState(t testing.TB, st *intent.SwitchState) {
	t.Helper()
	if st == nil {
		t.Fatal("no state and no error")
	}
	for _, v := range st.VLANs {
		if v.ID < 1 || v.ID > 4094 {
			t.Errorf("vlan id %d outside 1-4094", v.ID)
		}
	}
	seen := map[int]bool{}
	for _, v := range st.VLANs {
		if seen[v.ID] {
			t.Errorf("vlan %d listed twice", v.ID)
		}
		seen[v.ID] = true
	}
	// A record left out is said with its command, what it is and why.
	for _, u := range st.Partial {
		if u.Command == "" || u.Record == "" || u.Reason == "" {
			t.Errorf("partial entry %+v lacks its command, record or reason", u)
		}
	}
	for _, i := range st.Interfaces {
		for k, v := range i.Allowed {
			if v < 1 || v > 4094 || k > 0 && v <= i.Allowed[k-1] {
				t.Errorf("%s: allowed list %v is not a sorted set of VLAN ids", i.Name, []int(i.Allowed))
				break
			}
		}
	}
}

// OrNil makes an empty command output a missing one, so that a fuzz input
// can leave a command out.
func OrNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}
