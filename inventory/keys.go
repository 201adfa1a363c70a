package inventory

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// keyChecker walks a document against the schema (the mapstructure tags of
// Inventory) and reports every key the schema does not have, spelled as
// written, with its line and, when one is close, the key that was probably
// meant. Keys are compared exactly: lagIDs is not lagIds. The walk visits
// each node once (a node an alias points to once per schema type), so it is
// linear in the document.
type keyChecker struct {
	ctx   context.Context
	file  string
	errs  []FieldError
	seen  map[aliasUse]bool
	steps int
	err   error // the context's, when it ended the walk
}

type aliasUse struct {
	n *yaml.Node
	t reflect.Type
}

// checkKeys returns the unknown keys of doc, or the context's error.
func checkKeys(ctx context.Context, file string, root *yaml.Node) ([]FieldError, error) {
	k := &keyChecker{ctx: ctx, file: file, seen: map[aliasUse]bool{}}
	k.walk(root, reflect.TypeFor[Inventory](), make([]pathSeg, 0, 8))
	return k.errs, k.err
}

func (k *keyChecker) walk(n *yaml.Node, t reflect.Type, segs []pathSeg) {
	if k.err != nil || n == nil {
		return
	}
	if k.steps++; k.steps%scanCheckEvery == 0 {
		if k.err = k.ctx.Err(); k.err != nil {
			k.err = context.Cause(k.ctx)
			return
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			k.walk(c, t, segs)
		}
	case yaml.AliasNode:
		use := aliasUse{n.Alias, t}
		if !k.seen[use] {
			k.seen[use] = true
			k.walk(n.Alias, t, segs)
		}
	case yaml.SequenceNode:
		if t.Kind() == reflect.Slice {
			for i, c := range n.Content {
				k.walk(c, t.Elem(), append(segs, pathSeg{index: i, isIndex: true}))
			}
		}
	case yaml.MappingNode:
		if t.Kind() != reflect.Struct || t == durationType {
			return // the decoder reports the wrong shape
		}
		fields := schemaOf(t)
		var first [64]int // line of each field's first key, to find repeats
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			if key.Kind == yaml.ScalarNode && key.Value == "<<" && key.Tag == "!!merge" {
				k.walk(val, t, segs) // a merge key: its mappings' keys are this one's
				continue
			}
			f, ok := fields.index[key.Value]
			if !ok || key.Kind != yaml.ScalarNode {
				k.unknown(key, fields, segs)
				continue
			}
			path := append(segs, pathSeg{field: key.Value})
			if f < len(first) {
				if first[f] > 0 {
					k.errs = append(k.errs, FieldError{File: k.file, Line: key.Line, Path: segsPath(path), Message: fmt.Sprintf("given twice (first at line %d)", first[f])})
				}
				first[f] = key.Line
			}
			k.walk(val, fields.types[key.Value], path)
		}
	}
}

func (k *keyChecker) unknown(key *yaml.Node, fields *schemaFields, segs []pathSeg) {
	fe := FieldError{File: k.file, Line: key.Line, Path: segsPath(append(segs, pathSeg{field: keyInPath(key.Value)})), Message: "unknown field"}
	if key.Kind != yaml.ScalarNode {
		fe.Path, fe.Message = segsPath(segs), "keys must be text"
	} else if s := suggest(key.Value, fields.tags); s != "" {
		fe.Message += fmt.Sprintf("; did you mean %q?", s)
	}
	k.errs = append(k.errs, fe)
}

// keyInPath spells an unknown key for a field path: as written when it is
// plain printable text, else quoted with its control and invisible
// characters escaped; cut after 64 bytes.
func keyInPath(key string) string {
	cut := len(key) > 64
	if cut {
		key = strings.ToValidUTF8(key[:64], "")
	}
	plain := key != "" && strings.IndexFunc(key, func(r rune) bool {
		return !unicode.IsPrint(r) || r == '"' || r == '\\' || r == utf8.RuneError
	}) < 0
	switch {
	case plain && !cut:
		return key
	case plain:
		return key + "..."
	case cut:
		return strconv.Quote(key) + "..."
	}
	return strconv.Quote(key)
}

// schemaFields are the keys of one struct of the schema, in field order.
type schemaFields struct {
	fields []schemaField
	tags   []string
	types  map[string]reflect.Type
	index  map[string]int    // key -> position in fields
	folded map[string]string // lower-case key -> key
}

// schemaField is one decoded field: its index in the struct, its key and
// which text rules its strings follow (fieldKinds).
type schemaField struct {
	index int
	tag   string
	kind  textKind
}

var schemaCache sync.Map // reflect.Type -> *schemaFields

// schemaOf lists the decoded fields of a struct type of the schema.
func schemaOf(t reflect.Type) *schemaFields {
	if f, ok := schemaCache.Load(t); ok {
		return f.(*schemaFields)
	}
	f := &schemaFields{types: map[string]reflect.Type{}, index: map[string]int{}, folded: map[string]string{}}
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, _, _ := strings.Cut(sf.Tag.Get("mapstructure"), ",")
		if tag == "-" || !sf.IsExported() {
			continue
		}
		if tag == "" {
			tag = sf.Name
		}
		f.fields = append(f.fields, schemaField{index: i, tag: tag, kind: fieldKinds[t.Name()+"."+sf.Name]})
		f.index[tag] = len(f.tags)
		f.tags = append(f.tags, tag)
		f.types[tag] = sf.Type
		f.folded[strings.ToLower(tag)] = tag
	}
	schemaCache.Store(t, f)
	return f
}

// prune keeps in v, a document's values, only the keys of the schema, so
// that viper (whose merge compares every key of a map with every other)
// sees a handful of keys per mapping. A key the schema has in another case
// is moved to the schema's spelling when that one is absent: checkKeys has
// reported it, and the value still decodes, so that no second problem
// follows from the first.
func prune(v any, t reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch x := v.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct || t == durationType {
			return
		}
		fields := schemaOf(t)
		for key, fv := range x {
			if _, ok := fields.types[key]; ok {
				continue
			}
			delete(x, key)
			if tag, ok := fields.folded[strings.ToLower(key)]; ok {
				if _, set := x[tag]; !set {
					x[tag] = fv
				}
			}
		}
		for key, fv := range x {
			prune(fv, fields.types[key])
		}
	case []any:
		if t.Kind() == reflect.Slice {
			for _, e := range x {
				prune(e, t.Elem())
			}
		}
	}
}

// suggest returns the key of tags that key was probably meant to be: the
// same word in another case, or one at most two edits away (and less than
// a third of its length); "" when none is.
func suggest(key string, tags []string) string {
	for _, t := range tags {
		if strings.EqualFold(t, key) {
			return t
		}
	}
	lower := strings.ToLower(key)
	best, bestDist := "", 3
	for _, t := range tags {
		if d := len(t) - len(key); d >= bestDist || -d >= bestDist {
			continue // too far apart whatever the letters
		}
		if d := editDistance(lower, strings.ToLower(t)); d < bestDist && 3*d < len(t) {
			best, bestDist = t, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of two short words, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
