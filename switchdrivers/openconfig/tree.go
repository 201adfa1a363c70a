package openconfig

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	gpb "github.com/openconfig/gnmi/proto/gnmi"
)

// unqualify drops the RFC 7951 module qualifier of a member name or an
// identityref value: "openconfig-vlan:switched-vlan" -> "switched-vlan".
func unqualify(s string) string {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// stripModules removes module qualifiers from every member name of a decoded
// JSON_IETF value, so that targets that qualify every member, only the ones
// RFC 7951 requires, or none at all decode alike.
func stripModules(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, c := range t {
			out[unqualify(k)] = stripModules(c)
		}
		return out
	case []any:
		for i := range t {
			t[i] = stripModules(t[i])
		}
		return t
	}
	return v
}

// tree merges the values of a GetResponse into one document rooted at "/",
// whatever the granularity the target answered with (one update per
// requested subtree, or one per leaf).
type tree map[string]any

// insert places v at path p.
func (t tree) insert(p *gpb.Path, v any) error {
	cur := map[string]any(t)
	elems := p.GetElem()
	if len(elems) == 0 {
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("value at / is not an object")
		}
		merge(cur, m)
		return nil
	}
	for i, e := range elems {
		name := unqualify(e.GetName())
		last := i == len(elems)-1
		if len(e.GetKey()) > 0 {
			list, _ := cur[name].([]any)
			var entry map[string]any
			for _, it := range list {
				m, ok := it.(map[string]any)
				if ok && keysMatch(m, e.GetKey()) {
					entry = m
					break
				}
			}
			if entry == nil {
				entry = map[string]any{}
				for k, kv := range e.GetKey() {
					entry[k] = kv
				}
				cur[name] = append(list, entry)
			}
			if last {
				m, ok := v.(map[string]any)
				if !ok {
					return fmt.Errorf("value at %s is not an object", PathString(p))
				}
				merge(entry, m)
				return nil
			}
			cur = entry
			continue
		}
		if last {
			if m, ok := v.(map[string]any); ok {
				if old, ok := cur[name].(map[string]any); ok {
					merge(old, m)
					return nil
				}
			}
			cur[name] = v
			return nil
		}
		next, ok := cur[name].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[name] = next
		}
		cur = next
	}
	return nil
}

func keysMatch(m map[string]any, keys map[string]string) bool {
	for k, want := range keys {
		got, ok := m[k]
		if !ok || scalarString(got) != want {
			return false
		}
	}
	return true
}

func scalarString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// merge copies src into dst; objects merge, lists of keyed entries are
// concatenated (a target answering per leaf repeats no entry), scalars win.
func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

// decodeValue turns a TypedValue into a Go value with module qualifiers
// stripped. JSON_IETF and JSON are accepted; scalar typed values too, for
// targets that answer leaves with them.
func decodeValue(tv *gpb.TypedValue) (any, error) {
	var raw []byte
	switch v := tv.GetValue().(type) {
	case *gpb.TypedValue_JsonIetfVal:
		raw = v.JsonIetfVal
	case *gpb.TypedValue_JsonVal:
		raw = v.JsonVal
	case *gpb.TypedValue_StringVal:
		return v.StringVal, nil
	case *gpb.TypedValue_UintVal:
		return json.Number(strconv.FormatUint(v.UintVal, 10)), nil
	case *gpb.TypedValue_IntVal:
		return json.Number(strconv.FormatInt(v.IntVal, 10)), nil
	case *gpb.TypedValue_BoolVal:
		return v.BoolVal, nil
	case nil:
		return nil, fmt.Errorf("empty value")
	default:
		return nil, fmt.Errorf("unsupported value type %T", v)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("decode json_ietf: %w", err)
	}
	return stripModules(out), nil
}

// ocInt is a YANG integer; JSON_IETF writes 64-bit ones as strings, and
// some targets quote the small ones too.
type ocInt int

func (n *ocInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%s is not an integer", b)
	}
	*n = ocInt(v)
	return nil
}

// ocBool accepts true/false and their quoted forms.
type ocBool bool

func (v *ocBool) UnmarshalJSON(b []byte) error {
	switch strings.Trim(string(b), `"`) {
	case "true":
		*v = true
	case "false", "null":
		*v = false
	default:
		return fmt.Errorf("boolean %s", b)
	}
	return nil
}
