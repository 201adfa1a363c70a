package gnmi

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	gpb "github.com/openconfig/gnmi/proto/gnmi"

	"github.com/netalign/netalign/internal/lab/device"
)

// The data tree mirrors the schema: a container is a map[string]any of its
// children, a list is a map[string]any from key value to entry (itself a
// container map), a leaf is a string, int or bool, a leaf-list a []any.

// pathError is an error about one path of a request.
type pathError struct {
	path string
	msg  string
}

func (e *pathError) Error() string { return e.path + ": " + e.msg }

func perr(path, format string, args ...any) error {
	return &pathError{path: path, msg: fmt.Sprintf(format, args...)}
}

// pathString renders a gNMI path as /a/b[k=v]/c.
func pathString(elems []*gpb.PathElem) string {
	if len(elems) == 0 {
		return "/"
	}
	var b strings.Builder
	for _, e := range elems {
		b.WriteByte('/')
		b.WriteString(e.GetName())
		keys := make([]string, 0, len(e.GetKey()))
		for k := range e.GetKey() {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "[%s=%s]", k, e.GetKey()[k])
		}
	}
	return b.String()
}

// fullPath joins a request prefix and a path. Elements of the legacy
// string form (Path.Element) are refused.
func fullPath(prefix, p *gpb.Path) ([]*gpb.PathElem, error) {
	if len(prefix.GetElement()) > 0 || len(p.GetElement()) > 0 {
		return nil, fmt.Errorf("path uses the deprecated element field; use elem")
	}
	if o := p.GetOrigin(); o != "" && o != "openconfig" {
		return nil, fmt.Errorf("origin %q is not served (want openconfig)", o)
	}
	out := make([]*gpb.PathElem, 0, len(prefix.GetElem())+len(p.GetElem()))
	out = append(out, prefix.GetElem()...)
	return append(out, p.GetElem()...), nil
}

// leafValue converts a decoded JSON value to the leaf's internal form.
func leafValue(t leafType, v any, path string) (any, error) {
	switch t.kind {
	case tString:
		s, ok := v.(string)
		if !ok {
			return nil, perr(path, "want a string, got %s", jsonText(v))
		}
		return s, nil
	case tBool:
		b, ok := v.(bool)
		if !ok {
			return nil, perr(path, "want true or false, got %s", jsonText(v))
		}
		return b, nil
	case tUint16:
		n, err := intOf(v)
		if err != nil || n < t.min || n > t.max {
			return nil, perr(path, "want an integer in %d-%d, got %s", t.min, t.max, jsonText(v))
		}
		return n, nil
	case tEnum, tIdentity:
		s, ok := v.(string)
		if !ok {
			return nil, perr(path, "want one of %s, got %s", strings.Join(t.enums, ", "), jsonText(v))
		}
		u := s
		if t.kind == tIdentity {
			if mod, rest, ok := strings.Cut(s, ":"); ok {
				if mod != t.idModule {
					return nil, perr(path, "identity %q is not from module %s", s, t.idModule)
				}
				u = rest
			}
		}
		if !slices.Contains(t.enums, u) {
			return nil, perr(path, "want one of %s, got %s", strings.Join(t.enums, ", "), jsonText(v))
		}
		return u, nil
	case tVLANRange:
		if s, ok := v.(string); ok && strings.Contains(s, "..") {
			lo, hi, _ := strings.Cut(s, "..")
			a, err1 := strconv.Atoi(lo)
			b, err2 := strconv.Atoi(hi)
			if err1 != nil || err2 != nil || a < 1 || b > 4094 || a >= b {
				return nil, perr(path, "want a vlan id or a range lo..hi within 1-4094, got %s", jsonText(v))
			}
			return fmt.Sprintf("%d..%d", a, b), nil
		}
		n, err := intOf(v)
		if err != nil || n < 1 || n > 4094 {
			return nil, perr(path, "want a vlan id or a range lo..hi within 1-4094, got %s", jsonText(v))
		}
		return n, nil
	}
	return nil, perr(path, "unsupported leaf type")
}

func intOf(v any) (int, error) {
	switch t := v.(type) {
	case json.Number:
		return strconv.Atoi(t.String())
	case string: // JSON_IETF quotes 64-bit integers; be lenient with others
		return strconv.Atoi(t)
	case int:
		return t, nil
	}
	return 0, fmt.Errorf("not an integer")
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// normalize validates v against node n (the node the value is for) and
// returns its internal form. entry is true when v is one list entry.
func normalize(n *schemaNode, v any, path string, entry bool) (any, error) {
	if n.readOnly {
		return nil, perr(path, "read-only (state) node")
	}
	switch {
	case n.kind == kLeaf:
		return leafValue(n.typ, v, path)
	case n.kind == kLeafList:
		arr, ok := v.([]any)
		if !ok {
			return nil, perr(path, "want a list, got %s", jsonText(v))
		}
		out := make([]any, 0, len(arr))
		for _, it := range arr {
			x, err := leafValue(n.typ, it, path)
			if err != nil {
				return nil, err
			}
			if !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
		return out, nil
	case n.kind == kList && !entry:
		arr, ok := v.([]any)
		if !ok {
			return nil, perr(path, "want a list of entries, got %s", jsonText(v))
		}
		out := map[string]any{}
		for _, it := range arr {
			m, ok := it.(map[string]any)
			if !ok {
				return nil, perr(path, "want an object per entry")
			}
			kv, ok := lookupMember(m, n.key)
			if !ok {
				return nil, perr(path, "entry without key %s", n.key)
			}
			key, err := leafValue(n.child(n.key).typ, kv, path+"/"+n.key)
			if err != nil {
				return nil, err
			}
			ks := fmt.Sprint(key)
			e, err := normalize(n, m, fmt.Sprintf("%s[%s=%s]", path, n.key, ks), true)
			if err != nil {
				return nil, err
			}
			out[ks] = e
		}
		return out, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, perr(path, "want an object, got %s", jsonText(v))
	}
	out := make(map[string]any, len(m))
	for k, cv := range m {
		c := n.child(k)
		if c == nil {
			return nil, perr(path+"/"+unqualify(k), "unknown node")
		}
		if mod, _, ok := strings.Cut(k, ":"); ok && mod != c.module {
			return nil, perr(path+"/"+unqualify(k), "node is in module %s, not %s", c.module, mod)
		}
		x, err := normalize(c, cv, path+"/"+c.name, false)
		if err != nil {
			return nil, err
		}
		out[c.name] = x
	}
	return out, nil
}

// lookupMember finds a member by name, qualified or not.
func lookupMember(m map[string]any, name string) (any, bool) {
	for k, v := range m {
		if unqualify(k) == name {
			return v, true
		}
	}
	return nil, false
}

// step is one resolved element of a path.
type step struct {
	node *schemaNode
	key  string // list key value ("" for containers, leaves, whole lists)
	wild bool   // list element without key (Get only)
}

// resolve checks elems against the schema.
func resolve(root *schemaNode, elems []*gpb.PathElem) ([]step, error) {
	steps := make([]step, 0, len(elems))
	n := root
	for i, e := range elems {
		here := pathString(elems[:i+1])
		c := n.child(e.GetName())
		if c == nil {
			return nil, perr(here, "unknown path")
		}
		s := step{node: c}
		switch {
		case c.kind == kList:
			switch len(e.GetKey()) {
			case 0:
				s.wild = true
			case 1:
				kv, ok := e.GetKey()[c.key]
				if !ok {
					return nil, perr(here, "list %s is keyed by %s", c.name, c.key)
				}
				if kv == "*" {
					s.wild = true
					break
				}
				key, err := leafValue(c.child(c.key).typ, kv, here)
				if err != nil {
					return nil, err
				}
				s.key = fmt.Sprint(key)
			default:
				return nil, perr(here, "list %s has one key, %s", c.name, c.key)
			}
		case len(e.GetKey()) > 0:
			return nil, perr(here, "%s is not a list", c.name)
		}
		if (c.kind == kLeaf || c.kind == kLeafList) && i != len(elems)-1 {
			return nil, perr(here, "%s is a leaf", c.name)
		}
		steps = append(steps, s)
		n = c
	}
	return steps, nil
}

// keyValue returns the internal value of list n's key for key string ks.
func keyValue(n *schemaNode, ks string) any {
	if n.child(n.key).typ.kind == tUint16 {
		v, _ := strconv.Atoi(ks)
		return v
	}
	return ks
}

// setAt applies one replace or update of value v (already normalized for the
// last node) at the resolved path.
func setAt(root map[string]any, steps []step, v any, replace bool, path string) error {
	cur := root
	for i, s := range steps {
		last := i == len(steps)-1
		n := s.node
		if n.readOnly {
			return perr(path, "read-only (state) node")
		}
		switch n.kind {
		case kLeaf, kLeafList:
			cur[n.name] = v
			return nil
		case kList:
			if s.wild {
				if !last {
					return perr(path, "list %s needs its key %s", n.name, n.key)
				}
				entries := v.(map[string]any)
				if replace {
					cur[n.name] = entries
					return nil
				}
				old, _ := cur[n.name].(map[string]any)
				if old == nil {
					old = map[string]any{}
					cur[n.name] = old
				}
				for k, e := range entries {
					if oe, ok := old[k].(map[string]any); ok {
						merge(n, oe, e.(map[string]any))
					} else {
						old[k] = e
					}
				}
				return nil
			}
			entries, _ := cur[n.name].(map[string]any)
			if entries == nil {
				entries = map[string]any{}
				cur[n.name] = entries
			}
			entry, _ := entries[s.key].(map[string]any)
			if last {
				m := v.(map[string]any)
				if kv, ok := m[n.key]; ok && fmt.Sprint(kv) != s.key {
					return perr(path, "key %s=%v contradicts the path", n.key, kv)
				}
				if replace || entry == nil {
					entry = m
					entries[s.key] = entry
				} else {
					merge(n, entry, m)
				}
				entry[n.key] = keyValue(n, s.key)
				return nil
			}
			if entry == nil {
				entry = map[string]any{n.key: keyValue(n, s.key)}
				entries[s.key] = entry
			}
			cur = entry
		default:
			next, _ := cur[n.name].(map[string]any)
			if last {
				m := v.(map[string]any)
				if replace || next == nil {
					cur[n.name] = m
				} else {
					merge(n, next, m)
				}
				return nil
			}
			if next == nil {
				next = map[string]any{}
				cur[n.name] = next
			}
			cur = next
		}
	}
	// An empty path: the value is the whole root.
	m := v.(map[string]any)
	if replace {
		for k := range root {
			delete(root, k)
		}
	}
	for k, x := range m {
		root[k] = x
	}
	return nil
}

// merge applies an update of container (or list entry) src onto dst.
func merge(n *schemaNode, dst, src map[string]any) {
	for k, v := range src {
		c := n.child(k)
		switch {
		case c != nil && c.kind == kContainer:
			if d, ok := dst[k].(map[string]any); ok {
				merge(c, d, v.(map[string]any))
				continue
			}
		case c != nil && c.kind == kList:
			if d, ok := dst[k].(map[string]any); ok {
				for ek, ev := range v.(map[string]any) {
					if de, ok := d[ek].(map[string]any); ok {
						merge(c, de, ev.(map[string]any))
					} else {
						d[ek] = ev
					}
				}
				continue
			}
		}
		dst[k] = v
	}
}

// deleteAt removes the node at the path; a missing node is no error (gNMI
// specification 3.4.6).
func deleteAt(root map[string]any, steps []step, path string) error {
	if len(steps) == 0 {
		for k := range root {
			delete(root, k)
		}
		return nil
	}
	cur := root
	for i, s := range steps {
		last := i == len(steps)-1
		n := s.node
		if n.readOnly {
			return perr(path, "read-only (state) node")
		}
		if n.kind == kList {
			entries, _ := cur[n.name].(map[string]any)
			if entries == nil {
				return nil
			}
			if s.wild {
				if last {
					delete(cur, n.name)
					return nil
				}
				for _, e := range entries {
					if err := deleteAt(e.(map[string]any), steps[i+1:], path); err != nil {
						return err
					}
				}
				return nil
			}
			if last {
				delete(entries, s.key)
				return nil
			}
			entry, _ := entries[s.key].(map[string]any)
			if entry == nil {
				return nil
			}
			cur = entry
			continue
		}
		if last {
			delete(cur, n.name)
			return nil
		}
		next, _ := cur[n.name].(map[string]any)
		if next == nil {
			return nil
		}
		cur = next
	}
	return nil
}

// match is one node a Get path designates.
type match struct {
	elems []*gpb.PathElem
	node  *schemaNode
	value any
	entry bool // value is one list entry
}

// getAt finds the nodes a path designates, expanding lists without keys.
func getAt(root map[string]any, rootNode *schemaNode, steps []step, elems []*gpb.PathElem) []match {
	if len(steps) == 0 {
		return []match{{node: rootNode, value: root}}
	}
	var out []match
	var walk func(cur map[string]any, i int, prefix []*gpb.PathElem)
	walk = func(cur map[string]any, i int, prefix []*gpb.PathElem) {
		s := steps[i]
		n := s.node
		last := i == len(steps)-1
		v, ok := cur[n.name]
		if !ok {
			return
		}
		if n.kind == kList {
			entries := v.(map[string]any)
			if s.wild {
				if last && len(elems[i].GetKey()) == 0 {
					// The list itself: its entries as one value.
					out = append(out, match{elems: append(clonePath(prefix), &gpb.PathElem{Name: elems[i].GetName()}), node: n, value: entries})
					return
				}
				for _, k := range sortedKeys(entries) {
					e := &gpb.PathElem{Name: elems[i].GetName(), Key: map[string]string{n.key: k}}
					p := append(clonePath(prefix), e)
					if last {
						out = append(out, match{elems: p, node: n, value: entries[k], entry: true})
						continue
					}
					walk(entries[k].(map[string]any), i+1, p)
				}
				return
			}
			ev, ok := entries[s.key]
			if !ok {
				return
			}
			p := append(clonePath(prefix), elems[i])
			if last {
				out = append(out, match{elems: p, node: n, value: ev, entry: true})
				return
			}
			walk(ev.(map[string]any), i+1, p)
			return
		}
		p := append(clonePath(prefix), elems[i])
		if last {
			out = append(out, match{elems: p, node: n, value: v})
			return
		}
		if m, ok := v.(map[string]any); ok {
			walk(m, i+1, p)
		}
	}
	walk(root, 0, nil)
	return out
}

func clonePath(p []*gpb.PathElem) []*gpb.PathElem { return slices.Clone(p) }

// sortedKeys orders list keys naturally (Ethernet2 before Ethernet10, 2
// before 10).
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		x, errA := strconv.Atoi(a)
		y, errB := strconv.Atoi(b)
		if errA == nil && errB == nil {
			return x - y
		}
		return device.CompareInterfaces(a, b)
	})
	return keys
}

// toJSON renders an internal value of node n. With qualify it is JSON_IETF:
// member names qualified where their module differs from the parent's
// (RFC 7951 section 4), identityref values qualified with their module;
// without, plain JSON.
func toJSON(n *schemaNode, v any, qualify bool, entry bool) any {
	switch {
	case n.kind == kLeaf:
		if n.typ.kind == tIdentity && qualify {
			return n.typ.idModule + ":" + v.(string)
		}
		return v
	case n.kind == kLeafList:
		return v
	case n.kind == kList && !entry:
		entries := v.(map[string]any)
		arr := make([]any, 0, len(entries))
		for _, k := range sortedKeys(entries) {
			arr = append(arr, toJSON(n, entries[k], qualify, true))
		}
		return arr
	}
	m := v.(map[string]any)
	out := make(map[string]any, len(m))
	for k, cv := range m {
		c := n.child(k)
		if c == nil {
			continue
		}
		name := c.name
		if qualify && (c.module != n.module || n.parent == nil) {
			name = c.module + ":" + c.name
		}
		out[name] = toJSON(c, cv, qualify, false)
	}
	return out
}
