package labtest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netalign/netalign/internal/intent"
)

// MatchesModel fails t when a driver's observation differs from the lab
// device model's own state: VLANs, every interface and LLDP neighbours.
func (s *Switch) MatchesModel(t testing.TB, observed *intent.SwitchState) {
	t.Helper()
	truth := s.Dev.State()
	opts := []cmp.Option{
		cmpopts.EquateEmpty(),
		cmpopts.IgnoreFields(intent.SwitchState{}, "Platform", "Hostname"),
		cmpopts.SortSlices(func(a, b intent.Interface) bool { return a.Name < b.Name }),
		cmpopts.SortSlices(func(a, b intent.LLDPNeighbor) bool {
			return a.LocalPort+a.SystemName+a.PortID < b.LocalPort+b.SystemName+b.PortID
		}),
	}
	if diff := cmp.Diff(truth, *observed, opts...); diff != "" {
		t.Errorf("lab model (-) vs observed (+):\n%s", diff)
	}
}
