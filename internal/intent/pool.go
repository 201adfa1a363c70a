package intent

import (
	"slices"
	"strconv"
	"strings"
)

// PoolFields lists the fields in which two pools differ, as the planner
// shows them and validate reports them: subnet, ranges, gateway, DNS,
// domain, lease time, interface, relay and reservations. A nil pool is an
// empty one (a pool created or deleted). The one comparison of pools.
func PoolFields(before, after *Pool) []Field {
	get := func(p *Pool) map[string]string {
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
	var out []Field
	for _, k := range []string{"subnet", "ranges", "gateway", "dns", "domain", "lease time", "interface", "relay", "reservations"} {
		if b[k] != a[k] {
			out = append(out, Field{Name: k, Before: b[k], After: a[k]})
		}
	}
	return out
}
