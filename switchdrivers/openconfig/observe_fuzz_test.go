package openconfig

import (
	"testing"

	gpb "github.com/openconfig/gnmi/proto/gnmi"

	"github.com/netalign/netalign/switchdrivers/internal/drivertest"
)

// FuzzObserve adds one update, a path and its JSON value, to the GetResponse
// of TestStateFromLeafUpdates and maps the result onto a state, as Observe
// does. Seeded with every update of that response, so each can be mutated
// in place (a later update merges over an earlier one). The package has no
// captured gNMI output; see the test.
func FuzzObserve(f *testing.F) {
	for _, n := range leafUpdates() {
		for _, u := range n.GetUpdate() {
			f.Add(PathString(joinPath(n.GetPrefix(), u.GetPath())), u.GetVal().GetJsonIetfVal())
		}
	}
	f.Fuzz(func(t *testing.T, path string, val []byte) {
		p, err := ParsePath(path)
		if err != nil {
			return
		}
		notifs := append(leafUpdates(), &gpb.Notification{Update: []*gpb.Update{
			{Path: p, Val: &gpb.TypedValue{Value: &gpb.TypedValue_JsonIetfVal{JsonIetfVal: val}}},
		}})
		doc, err := decodeDoc(notifs)
		if err != nil {
			return
		}
		drivertest.CheckState(t, stateFromDoc(doc, "default"))
	})
}
