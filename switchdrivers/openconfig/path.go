package openconfig

import (
	"fmt"
	"sort"
	"strings"

	gpb "github.com/openconfig/gnmi/proto/gnmi"
)

// ParsePath reads the usual text form of a gNMI path:
// /interfaces/interface[name=Ethernet1]/config. Key values may contain '/'
// and ']' escaped with a backslash.
func ParsePath(s string) (*gpb.Path, error) {
	p := &gpb.Path{}
	s = strings.TrimPrefix(s, "/")
	if s == "" {
		return p, nil
	}
	var elem *gpb.PathElem
	var name strings.Builder
	i := 0
	flush := func() {
		if elem == nil {
			elem = &gpb.PathElem{Name: name.String()}
		}
		p.Elem = append(p.Elem, elem)
		elem = nil
		name.Reset()
	}
	for i < len(s) {
		c := s[i]
		switch {
		case c == '/':
			if elem == nil && name.Len() == 0 {
				return nil, fmt.Errorf("path %q: empty element", s)
			}
			flush()
			i++
		case c == '[':
			if elem == nil {
				if name.Len() == 0 {
					return nil, fmt.Errorf("path %q: key without element name", s)
				}
				elem = &gpb.PathElem{Name: name.String(), Key: map[string]string{}}
			}
			end := i + 1
			var kv strings.Builder
			for ; end < len(s) && s[end] != ']'; end++ {
				if s[end] == '\\' && end+1 < len(s) {
					end++
				}
				kv.WriteByte(s[end])
			}
			if end >= len(s) {
				return nil, fmt.Errorf("path %q: unterminated key", s)
			}
			k, v, ok := strings.Cut(kv.String(), "=")
			if !ok || k == "" {
				return nil, fmt.Errorf("path %q: key %q is not name=value", s, kv.String())
			}
			elem.Key[k] = v
			i = end + 1
		default:
			if elem != nil {
				return nil, fmt.Errorf("path %q: text after key at offset %d", s, i)
			}
			name.WriteByte(c)
			i++
		}
	}
	flush()
	return p, nil
}

// MustPath is ParsePath for constant paths; it panics on a malformed path.
func MustPath(s string) *gpb.Path {
	p, err := ParsePath(s)
	if err != nil {
		panic(err)
	}
	return p
}

// PathString renders a path in the form ParsePath reads, keys sorted.
func PathString(p *gpb.Path) string {
	if p == nil || len(p.Elem) == 0 {
		return "/"
	}
	var b strings.Builder
	for _, e := range p.Elem {
		b.WriteByte('/')
		b.WriteString(e.Name)
		keys := make([]string, 0, len(e.Key))
		for k := range e.Key {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := strings.NewReplacer(`\`, `\\`, `]`, `\]`).Replace(e.Key[k])
			fmt.Fprintf(&b, "[%s=%s]", k, v)
		}
	}
	return b.String()
}

// joinPath appends p to prefix (a nil prefix is the root).
func joinPath(prefix, p *gpb.Path) *gpb.Path {
	out := &gpb.Path{}
	if prefix != nil {
		out.Elem = append(out.Elem, prefix.Elem...)
	}
	if p != nil {
		out.Elem = append(out.Elem, p.Elem...)
	}
	return out
}
