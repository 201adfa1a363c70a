package plan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

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
			out = append(out, intent.PoolChange{Action: intent.Create, Pool: p, Fields: poolFields(nil, &p)})
		case !cur.Owned:
			warnings = append(warnings, fmt.Sprintf("vlan %d: the server has a pool netalign does not own (subnet %s): not changed", p.VLAN, cur.Subnet))
		default:
			if f := poolFields(&cur, &p); len(f) > 0 {
				before := cur
				out = append(out, intent.PoolChange{Action: intent.Update, Pool: p, Before: &before, Fields: f})
			}
		}
	}
	for _, p := range obs.Pools {
		if p.Owned && !want[p.VLAN] {
			out = append(out, intent.PoolChange{Action: intent.Delete, Pool: p, Fields: poolFields(&p, nil)})
		}
	}
	slices.SortStableFunc(out, func(a, b intent.PoolChange) int { return a.Pool.VLAN - b.Pool.VLAN })
	return out, warnings
}

// PoolEqual reports whether two pools serve the same configuration.
func PoolEqual(a, b intent.Pool) bool { return len(poolFields(&a, &b)) == 0 }

func poolFields(before, after *intent.Pool) []intent.Field {
	get := func(p *intent.Pool) map[string]string {
		if p == nil {
			return map[string]string{}
		}
		var res []string
		for _, r := range p.Reservations {
			res = append(res, strings.ToLower(r.MAC)+"="+r.IP)
		}
		slices.Sort(res)
		lease := ""
		if p.LeaseTime != 0 {
			lease = strconv.Itoa(p.LeaseTime) + "s"
		}
		return map[string]string{
			"subnet":       p.Subnet,
			"ranges":       strings.Join(p.Ranges, ","),
			"gateway":      p.Gateway,
			"dns":          strings.Join(p.DNS, ","),
			"domain":       p.Domain,
			"lease time":   lease,
			"interface":    p.Interface,
			"relay":        p.Relay,
			"reservations": strings.Join(res, ","),
		}
	}
	b, a := get(before), get(after)
	var out []intent.Field
	for _, k := range []string{"subnet", "ranges", "gateway", "dns", "domain", "lease time", "interface", "relay", "reservations"} {
		if b[k] != a[k] {
			out = append(out, intent.Field{Name: k, Before: b[k], After: a[k]})
		}
	}
	return out
}
