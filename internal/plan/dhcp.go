package plan

import (
	"fmt"
	"slices"

	"github.com/netalign/netalign/internal/intent"
)

// diffDHCP compares the pools a server must hold with those it holds.
// Pools are matched by VLAN id. Pools netalign does not own are never
// changed: a conflict with one is a warning.
func diffDHCP(dd intent.DesiredDHCP, obs *intent.DHCPState) ([]intent.PoolChange, []string) {
	var out []intent.PoolChange
	var warnings []string
	have := map[int]intent.Pool{}
	for _, p := range obs.Pools {
		have[p.VLAN] = p
	}
	want := map[int]bool{}
	for _, p := range dd.Pools {
		want[p.VLAN] = true
		cur, ok := have[p.VLAN]
		switch {
		case !ok:
			out = append(out, intent.PoolChange{Action: intent.Create, Pool: p, Fields: intent.PoolFields(nil, &p)})
		case !cur.Owned:
			warnings = append(warnings, fmt.Sprintf("vlan %d: the server has a pool netalign does not own (subnet %s): not changed", p.VLAN, cur.Subnet))
		default:
			if f := intent.PoolFields(&cur, &p); len(f) > 0 {
				before := cur
				out = append(out, intent.PoolChange{Action: intent.Update, Pool: p, Before: &before, Fields: f})
			}
		}
	}
	for _, p := range obs.Pools {
		if p.Owned && !want[p.VLAN] {
			out = append(out, intent.PoolChange{Action: intent.Delete, Pool: p, Fields: intent.PoolFields(&p, nil)})
		}
	}
	slices.SortStableFunc(out, func(a, b intent.PoolChange) int { return a.Pool.VLAN - b.Pool.VLAN })
	return out, warnings
}
